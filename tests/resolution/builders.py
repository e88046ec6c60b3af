"""Small builders for person mentions: valid ID numbers and candidates with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

from stdnum.cn import ric

from hub.resolution import PersonCandidate

_SEQUENCE = itertools.count(1)
REGION = "330122"


def id_number(birth: dt.date, sequence: int, *, region: str = REGION) -> str:
    """A valid 18-digit number; an odd sequence is a man."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + str(ric.calc_check_digit(body + "0"))


def legacy_form(number: str) -> str:
    """The 15-digit form of an 18-digit number (no century, no check character)."""
    return number[:6] + number[8:17]


def mention(name: str, **fields: object) -> PersonCandidate:
    """A candidate with a fresh mention id (override with `mention_id=`) from public security."""
    values: dict[str, object] = {"mention_id": f"m{next(_SEQUENCE):05d}", "department": "public_security"}
    values.update(fields)
    return PersonCandidate(name_as_sent=name, **values)  # type: ignore[arg-type]
