"""Identity normalisation: ID numbers and names as departments write them → one comparable form.

Departments write the same person differently: full-width digits (`３３０１…`), a lower-case `x`,
spaces, the legacy 15-digit number (issued before 1999, no century, no check character), traditional
characters in names. Everything here is deterministic and keeps no state but one OpenCC converter;
the original spelling is kept by the caller (`PersonRecord.id_number_as_sent`, `name_as_sent`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import opencc
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

_WHITESPACE = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s\-]+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])")
_LEGACY_LENGTH = 15
_LENGTH = 18
_ADDRESS_LENGTH = 6
# Legacy numbers were issued before 2000 to people born in the 1900s, so the century is always 19.
_LEGACY_CENTURY = "19"


class IdRejection(StrEnum):
    """Why an ID number could not be normalised."""

    MISSING = "missing"
    BAD_FORMAT = "bad_format"  # characters other than digits and a final X
    BAD_LENGTH = "bad_length"  # neither 18 nor legacy 15
    BAD_CHECKSUM = "bad_checksum"  # ISO 7064 MOD 11-2 check character wrong
    BAD_COMPONENT = "bad_component"  # birth date or address code impossible


@dataclass(frozen=True, slots=True)
class NormalisedId:
    """The outcome of normalising one ID number: an 18-digit number, or why there is none."""

    as_sent: str | None
    number: str | None
    rejection: IdRejection | None = None
    upgraded: bool = False  # True when a legacy 15-digit number was converted

    @property
    def is_valid(self) -> bool:
        """True when `number` holds a valid 18-digit GB 11643 number."""
        return self.number is not None


def fold_width(raw: str) -> str:
    """NFKC-normalise text so that full-width digits, letters and spaces become their ASCII forms."""
    return unicodedata.normalize("NFKC", raw)


def upgrade_legacy_id(legacy: str) -> str:
    """Convert a 15-digit legacy ID (YYMMDD birth date, no check char) to its 18-digit form.

    Inserts the century after the 6-digit address code and computes the check character with
    `stdnum.cn.ric`, which expects a full 18-character number and ignores its last character.
    """
    body17 = legacy[:_ADDRESS_LENGTH] + _LEGACY_CENTURY + legacy[_ADDRESS_LENGTH:]
    return body17 + str(ric.calc_check_digit(body17 + "0"))


def _reason(error: ValidationError) -> IdRejection:
    if isinstance(error, InvalidChecksum):
        return IdRejection.BAD_CHECKSUM
    if isinstance(error, InvalidComponent):
        return IdRejection.BAD_COMPONENT
    if isinstance(error, InvalidLength):
        return IdRejection.BAD_LENGTH
    if isinstance(error, InvalidFormat):
        return IdRejection.BAD_FORMAT
    return IdRejection.BAD_FORMAT


@functools.lru_cache(maxsize=16384)
def _check_birth_place(address_code: str, year: int) -> None:
    # `ric.get_birth_place` scans stdnum's region table (~0.5 ms a number, most of `ric.validate`'s
    # cost): at a million mentions that is minutes. The answer depends only on the address code and
    # the birth year, so ask stdnum once per pair with a stand-in date of that year.
    ric.get_birth_place(f"{address_code}{year:04d}01010000")


def _validate(number: str) -> str:
    """`ric.validate` for an 18-character number, with the region look-up cached (same checks)."""
    if len(number) != _LENGTH:
        raise InvalidLength()
    if not number[:-1].isdigit():
        raise InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidChecksum()
    birth = _birth_date(number)
    _check_birth_place(number[:_ADDRESS_LENGTH], birth.year)
    return number


def _birth_date(number: str) -> dt.date:
    """`ric.get_birth_date` for a number already compact: stdnum cleans its argument again
    character by character, most of the cost of validating millions of mentions."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidComponent() from None


def normalise_id_number(raw: str | None) -> NormalisedId:
    """Normalise an ID number as a department wrote it to the 18-digit GB 11643 form.

    Folds full-width characters, drops spaces and hyphens, upper-cases `x`, upgrades a legacy
    15-digit number, and validates the result with `stdnum.cn.ric` (check character, birth date,
    address code). Never raises: an unusable number comes back with `number=None` and a rejection.
    """
    if raw is None or not raw.strip():
        return NormalisedId(as_sent=raw, number=None, rejection=IdRejection.MISSING)
    compact = _SEPARATORS.sub("", fold_width(raw)).upper()
    # The number as sent when it was already clean: a county's mentions hold millions of them.
    compact = raw if compact == raw else compact
    upgraded = False
    if len(compact) == _LEGACY_LENGTH:
        if not compact.isdigit():
            return NormalisedId(as_sent=raw, number=None, rejection=IdRejection.BAD_FORMAT)
        compact = upgrade_legacy_id(compact)
        upgraded = True
    elif len(compact) != _LENGTH:
        return NormalisedId(as_sent=raw, number=None, rejection=IdRejection.BAD_LENGTH)
    if not (compact[:-1].isdigit() and (compact[-1].isdigit() or compact[-1] == "X")):
        return NormalisedId(as_sent=raw, number=None, rejection=IdRejection.BAD_FORMAT)
    try:
        number = _validate(compact)
    except ValidationError as error:
        return NormalisedId(as_sent=raw, number=None, rejection=_reason(error), upgraded=upgraded)
    return NormalisedId(as_sent=raw, number=number, upgraded=upgraded)


@functools.cache
def _t2s() -> opencc.OpenCC:
    # Building the converter loads its dictionaries; do it once per process.
    return opencc.OpenCC("t2s")


def birth_date_of(number: str) -> dt.date:
    """The birth date a valid 18-digit number carries (GB 11643 digits 7–14)."""
    return _birth_date(number)


def sex_of(number: str) -> str:
    """The GB/T 2261.1 sex a valid 18-digit number carries: an odd sequence digit is male."""
    return "1" if int(number[16]) % 2 else "2"


def normalise_name(raw: str) -> str:
    """A person's name in comparable form: NFKC-folded, simplified characters, trimmed.

    Spaces between Chinese characters are dropped (`张 三` → `张三`); other runs of whitespace
    collapse to one space so that transliterated names (`阿依古丽·买买提`, Latin names) survive.
    """
    folded = fold_width(raw).strip()
    simplified = str(_t2s().convert(folded))
    return _WHITESPACE.sub(" ", _CJK_GAP.sub("", simplified))
