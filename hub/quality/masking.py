"""Masking what quality reports show of a row (GB/T 35273, the same rules as the API).

Rows held back and quarantined payloads come in every department's shape, so masking goes by
field name for names and by value for ID and phone numbers wherever they appear (a source record
id such as `330122193401075630/留守老人/…` carries an ID number too).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from stdnum.cn import ric

from hub.privacy import mask_id_number, mask_name, mask_phone

# Field names that hold a person's name, in the departments' and the hub's spellings.
NAME_FIELDS = frozenset(
    {
        "name",
        "name_as_sent",
        "姓名",
        "户主姓名",
        "personName",
        "partyName",
        "petitioner_name",
        "applicant_name",
        "xm",
    }
)
# Field names that hold an ID number (masked whatever the value looks like).
ID_FIELDS = frozenset(
    {"id_number", "id_no", "idCard", "id_card", "身份证号", "证件号码", "id_number_as_sent", "sfzh"}
)
# Birth dates are never shown to roles that see masked data (DESIGN §8).
BIRTH_FIELDS = frozenset({"birth_date", "birthDate", "出生日期", "csrq"})
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘ", "0123456789X")
_ID_NUMBER = re.compile(r"(?<![0-9０-９])([0-9０-９]{17}[0-9Xx０-９Ｘ]|[0-9０-９]{15})(?![0-9０-９])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9]{9})(?![0-9])")


def looks_like_id_number(candidate: str) -> bool:
    """An 18-character number with a valid GB 11643 check character, or a 15-digit legacy number
    with a possible birth date (household numbers and case numbers have the same length but not this)."""
    value = candidate.translate(_FULLWIDTH).upper()
    if len(value) == 18:
        return bool(ric.is_valid(value))
    try:
        dt.date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    except ValueError:
        return False
    return True


def mask_text(value: str) -> str:
    """ID numbers and mobile numbers inside free text, masked."""

    def id_number(match: re.Match[str]) -> str:
        found = match.group(1)
        return mask_id_number(found) if looks_like_id_number(found) else found

    value = _ID_NUMBER.sub(id_number, value)
    return _MOBILE.sub(lambda m: mask_phone(m.group(1)), value)


def mask_value(value: Any, *, key: str | None = None) -> Any:
    """A JSON-like value with names (by field name), ID and phone numbers masked, recursively."""
    if isinstance(value, Mapping):
        return {k: mask_value(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v, key=key) for v in value]
    if isinstance(value, str):
        if key in NAME_FIELDS and value:
            return mask_name(value)
        if key in BIRTH_FIELDS and value:
            return "****-**-**"
        if key in ID_FIELDS and len(value) >= 10:
            return mask_id_number(value)
        return mask_text(value)
    return value
