"""What the departments share about listing records: items keyed and stamped, and page parameters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from hub.simulator.model import CST

Item = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Listed:
    """One payload item with its sort key and the moment it last changed (for "changed since").

    `entity` names the true thing behind the item (`household:<hh_no>`, `case:<no>`, `person:<key>`)
    and `persons` the truth keys of the people it mentions, in the order the item lists them: the
    noise layer uses both to say which person a defect hit, and the truth files export them.
    """

    key: str
    changed: dt.datetime
    item: Item
    entity: str = ""
    persons: tuple[str, ...] = ()


# Where the fault middleware leaves its decision for the endpoints that apply a fault themselves.
FAULT_STATE_KEY = "simulator_fault"


def fault_of(request: Request) -> str | None:
    """The fault the middleware chose for this request (`hub.simulator.faults`), if any."""
    fault = request.scope.get("state", {}).get(FAULT_STATE_KEY)
    return fault if isinstance(fault, str) else None


class BadParameter(ValueError):
    """A query parameter the department rejects; each department words the 400 its own way."""


def int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high]."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}")
    return value


def iso_param(request: Request, name: str) -> dt.datetime | None:
    """An ISO 8601 moment from the query string (see `parse_iso`)."""
    return parse_iso(name, request.query_params.get(name))


def parse_iso(name: str, raw: str | None) -> dt.datetime | None:
    """An ISO 8601 moment; one without an offset is read as China Standard Time."""
    if raw is None or raw == "":
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"{name} must be an ISO 8601 date-time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CST)


def changed_since(records: list[Listed], since: dt.datetime | None) -> list[Listed]:
    """Records changed at or after `since` (inclusive: a re-read record is harmless, a missed one is not)."""
    return records if since is None else [record for record in records if record.changed >= since]
