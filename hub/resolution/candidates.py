"""What resolution reads: a person as one source mention describes them, and its comparable form.

A `PersonCandidate` is what the caller knows about one mention (as sent); a `Profile` is the same
mention normalised once, so that blocking and scoring never normalise the same text twice. Birth
date and sex missing from a mention are read from a valid ID number: GB 11643 carries both
(digits 7-14, and the parity of digit 17), and most departments send nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass

from hub.resolution.addresses import normalise_address
from hub.resolution.identity import NormalisedId, birth_date_of, fold_width, normalise_id_number, sex_of
from hub.resolution.names import SpokenName, spoken_name

# GB/T 2261.1 sex codes; anything else (unknown codes, 0 and 9) counts as not stated.
MALE = "1"
FEMALE = "2"
_SEXES = frozenset({MALE, FEMALE})
_NON_DIGITS = re.compile(r"\D+")
_MOBILE_LENGTH = 11
_CHINA_PREFIXES = ("0086", "86")


@dataclass(frozen=True, slots=True)
class PersonCandidate:
    """One mention of a person by one source record, as sent, or an existing warehouse person.

    `mention_id` is unique across everything resolved together (e.g. `civil_affairs:benefits:B12:0`);
    `person_id` is set on candidates that stand for persons already in the warehouse, so that new
    mentions resolve onto them incrementally. `division_code` is the 12-digit village the record
    was made in (household, case or application), weak evidence for mentions that carry nothing else.
    """

    mention_id: str
    department: str
    name_as_sent: str
    id_number_as_sent: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    address: str | None = None
    household_no: str | None = None
    phone: str | None = None
    division_code: str | None = None
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """A candidate in comparable form. `id_number` is set only when the number is valid."""

    candidate: PersonCandidate
    id: NormalisedId
    name: SpokenName
    birth_date: dt.date | None
    sex: str | None
    address: str | None
    household_no: str | None
    phone: str | None
    division_code: str | None

    @property
    def mention_id(self) -> str:
        """The candidate's mention id."""
        return self.candidate.mention_id

    @property
    def id_number(self) -> str | None:
        """The valid 18-digit ID number, upgraded from 15 digits where needed, else None."""
        return self.id.number


def normalise_phone(raw: str | None) -> str | None:
    """Digits only, without a +86/0086 country prefix; None when nothing plausible is left."""
    if raw is None:
        return None
    digits = _NON_DIGITS.sub("", fold_width(raw))
    for prefix in _CHINA_PREFIXES:
        if len(digits) > _MOBILE_LENGTH and digits.startswith(prefix):
            digits = digits.removeprefix(prefix)
            break
    # Fewer than 7 digits is an extension or a fragment, not a number that identifies anyone.
    return digits if len(digits) >= 7 else None


def normalise_code(raw: str | None) -> str | None:
    """A code (household number, division code) with width folded and spaces dropped."""
    if raw is None:
        return None
    folded = "".join(fold_width(raw).split())
    # One string per distinct code: a county's mentions hold millions of codes (a few hundred
    # villages, a household's few members), each otherwise a string of its own.
    return sys.intern(folded) if folded else None


def profile(candidate: PersonCandidate) -> Profile:
    """Normalise one candidate; birth date and sex fall back on what its valid ID number says."""
    normalised = normalise_id_number(candidate.id_number_as_sent)
    number = normalised.number
    birth = candidate.birth_date
    if birth is None and number is not None:
        birth = birth_date_of(number)  # stdnum validated the date, so this cannot raise
    sex = candidate.sex if candidate.sex in _SEXES else None
    if sex is None and number is not None:
        sex = sex_of(number)
    address = normalise_address(candidate.address) if candidate.address else None
    return Profile(
        candidate=candidate,
        id=normalised,
        name=spoken_name(candidate.name_as_sent),
        birth_date=birth,
        sex=sex,
        address=address or None,
        household_no=normalise_code(candidate.household_no),
        phone=normalise_phone(candidate.phone),
        division_code=normalise_code(candidate.division_code),
    )
