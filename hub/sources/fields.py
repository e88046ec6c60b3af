"""Field rules every department mapping shares: required fields, codes, dates, money, persons, events.

Each rule either returns the typed value or raises `RecordRejected` with a rule named
`<field>.<check>` (`reported_at.bad_datetime`, `nation.unknown_code`, `id_no.bad_checksum` …), so that
quarantine groups rejects by what was wrong and where, and the reason quotes the offending value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from hub.errors import RecordRejected
from hub.reference import ReferenceEntry, load_table
from hub.resolution.identity import IdRejection, normalise_id_number, normalise_name
from hub.sources.canonical import CaseEventRecord, CaseStatus, Department, PersonRecord

# Every department writes China Standard Time; a timestamp without an offset is read as CST.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
T = TypeVar("T")
_CHINESE_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_SLASH_DATE = re.compile(r"^\s*(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})\s*$")
_CENTS = Decimal("0.01")


def reject(field: str, check: str, reason: str) -> RecordRejected:
    """The `RecordRejected` for `field` failing `check`."""
    return RecordRejected(rule=f"{field}.{check}", reason=reason)


def require(payload: Mapping[str, Any], field: str) -> Any:
    """The value of a required field; missing, null and blank are rejected."""
    value = payload.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise reject(field, "missing", f"required field {field!r} is missing or empty")
    return value


def require_str(payload: Mapping[str, Any], field: str) -> str:
    """A required text field, trimmed."""
    value = require(payload, field)
    if not isinstance(value, str):
        raise reject(field, "bad_type", f"{field!r} should be text, got {value!r}")
    return value.strip()


def optional_str(payload: Mapping[str, Any], field: str) -> str | None:
    """An optional text field, trimmed; blank becomes None."""
    value = payload.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise reject(field, "bad_type", f"{field!r} should be text, got {value!r}")
    return value.strip() or None


def code(table: str, value: Any, *, field: str) -> str:
    """Check a required `value` against a code table (`sex`, `ethnicity` …); unknown codes are rejected."""
    checked = optional_code(table, value, field=field)
    if checked is None:
        raise reject(field, "missing", f"required code {field!r} is missing")
    return checked


def optional_code(table: str, value: Any, *, field: str) -> str | None:
    """Like `code`, but a missing value is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text not in load_table(table):
        raise reject(
            field, "unknown_code", f"{text!r} is not a code of {table} ({load_table(table).standard})"
        )
    return text


def translate(table: str, department: Department, value: Any, *, field: str) -> ReferenceEntry:
    """Translate a department's own value through a department table; unknown values are rejected."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise reject(field, "missing", f"required code {field!r} is missing")
    text = str(value).strip()
    entry = load_table(table).lookup(department.value, text)
    if entry is None:
        raise reject(field, "unknown_code", f"{text!r} is not a known {department.value} value for {table}")
    return entry


def parse_datetime(value: Any, *, field: str) -> dt.datetime:
    """An ISO 8601 timestamp (offset-aware; a naive one is read as China Standard Time)."""
    if not isinstance(value, str):
        raise reject(field, "bad_datetime", f"{field!r} should be an ISO timestamp, got {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise reject(field, "bad_datetime", f"{value!r} is not an ISO timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA_TZ)


def parse_optional_datetime(value: Any, *, field: str) -> dt.datetime | None:
    """Like `parse_datetime`, but null or blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_datetime(value, field=field)


def parse_iso_date(value: Any, *, field: str) -> dt.date:
    """An ISO date `YYYY-MM-DD`."""
    if not isinstance(value, str):
        raise reject(field, "bad_date", f"{field!r} should be a date YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise reject(field, "bad_date", f"{value!r} is not a date YYYY-MM-DD") from None


def parse_chinese_date(value: str, *, field: str) -> dt.date:
    """A date as civil affairs writes it: `2024年3月5日` or `2024/3/5` (also `2024-03-05`)."""
    match = _CHINESE_DATE.match(value) or _SLASH_DATE.match(value)
    if match is None:
        raise reject(field, "bad_date", f"{value!r} is neither 2024年3月5日 nor 2024/3/5")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise reject(field, "bad_date", f"{value!r} is not a calendar date") from None


def parse_optional_chinese_date(value: str | None, *, field: str) -> dt.date | None:
    """Like `parse_chinese_date`, but blank is None."""
    if value is None or not value.strip():
        return None
    return parse_chinese_date(value, field=field)


def parse_epoch_ms(value: Any, *, field: str) -> dt.datetime:
    """Epoch milliseconds (justice) as an aware datetime in China Standard Time."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise reject(field, "bad_datetime", f"{field!r} should be epoch milliseconds, got {value!r}")
    try:
        return dt.datetime.fromtimestamp(value / 1000, tz=CHINA_TZ)
    except (OverflowError, OSError, ValueError):
        raise reject(field, "bad_datetime", f"{value!r} is out of range for epoch milliseconds") from None


def parse_optional_epoch_ms(value: Any, *, field: str) -> dt.datetime | None:
    """Like `parse_epoch_ms`, but null is None."""
    return None if value is None else parse_epoch_ms(value, field=field)


def parse_or_none(parse: Callable[..., T], value: Any) -> T | None:
    """`parse(value)`, or None where the value is missing or unreadable (for watermarks, not data)."""
    if value is None:
        return None
    try:
        return parse(value, field="changed_at")
    except RecordRejected:
        return None


def parse_money(value: str | None, *, field: str) -> str | None:
    """A money string (`"580.00"`, `"1,200"`, `"¥580"`) as a decimal string with two places."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip().replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise reject(field, "bad_amount", f"{value!r} is not an amount of money") from None
    if not amount.is_finite() or amount < 0:
        raise reject(field, "bad_amount", f"{value!r} is not a non-negative amount")
    return str(amount.quantize(_CENTS))


def person(
    *,
    name: Any,
    id_number: Any,
    name_field: str,
    id_field: str,
    sex: str | None = None,
    ethnicity: str | None = None,
    birth_date: dt.date | None = None,
    phone: str | None = None,
) -> PersonRecord:
    """A `PersonRecord` with a normalised ID and name; `*_field` name the payload's fields in rejections.

    A missing ID is allowed (resolution then matches on name, birth and address); an ID that is
    present but invalid is rejected, since a wrong number would merge the wrong people.
    """
    if not isinstance(name, str) or not name.strip():
        raise reject(name_field, "missing", f"the person has no name ({name_field!r} is {name!r})")
    if id_number is not None and not isinstance(id_number, str):
        raise reject(id_field, "bad_type", f"the ID number should be text, got {id_number!r}")
    normalised = normalise_id_number(id_number)
    if normalised.rejection is not None and normalised.rejection is not IdRejection.MISSING:
        raise reject(
            id_field,
            normalised.rejection.value,
            f"{id_number!r} is not a valid GB 11643 ID number ({normalised.rejection.value})",
        )
    clean_name = normalise_name(name)
    return PersonRecord(
        name=clean_name,
        id_number=normalised.number,
        id_number_as_sent=id_number or None,
        sex=sex,
        ethnicity=ethnicity,
        birth_date=birth_date,
        phone=(phone or "").strip() or None,
        name_as_sent=name if name != clean_name else None,
    )


def derive_events(
    *,
    opened_at: dt.datetime,
    closed_at: dt.datetime | None = None,
    followed_up_at: dt.datetime | None = None,
    status: CaseStatus | None = None,
    status_since: dt.datetime | None = None,
) -> tuple[CaseEventRecord, ...]:
    """Lifecycle events from the timestamps a case carries, in time order.

    Received at `opened_at`, resolved at `closed_at`, followed up at `followed_up_at`; the case's
    current `status`, when no timestamp above covers it, at `status_since` (the department's last
    change, which is when the case entered that status). Nothing is invented without a time.
    """
    events = [CaseEventRecord(at=opened_at, status=CaseStatus.RECEIVED)]
    if closed_at is not None:
        events.append(CaseEventRecord(at=closed_at, status=CaseStatus.RESOLVED))
    if followed_up_at is not None:
        events.append(CaseEventRecord(at=followed_up_at, status=CaseStatus.FOLLOWED_UP))
    if status is not None and status_since is not None and status not in {event.status for event in events}:
        events.append(CaseEventRecord(at=status_since, status=status))
    return tuple(sorted(events, key=lambda event: event.at))
