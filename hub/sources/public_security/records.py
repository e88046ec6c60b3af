"""Payloads as public security sends them (JSON, numeric national codes, ISO times with +08:00).

The client yields these dicts exactly as received (the raw landing keeps them byte for byte); the
types say what the contract promises, and the mapping checks every field before trusting it.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from hub.sources.fields import parse_datetime, parse_or_none


class MemberPayload(TypedDict, total=False):
    id_no: str | None
    name: str
    sex: str  # GB/T 2261.1
    nation: str  # GB/T 3304
    birth_date: str  # YYYY-MM-DD
    relation: str  # GB/T 4761
    phone: str | None


class HouseholdPayload(TypedDict, total=False):
    hh_no: str
    division_code: str
    address: str
    updated_at: str
    members: list[MemberPayload]


class IncidentPartyPayload(TypedDict, total=False):
    id_no: str | None
    name: str
    role: str  # 1 reporter, 2 respondent, 3 witness


class IncidentPayload(TypedDict, total=False):
    incident_no: str
    kind: str  # 1 警情, 2 治安案件, 3 刑事案件
    category: str  # 110 警情分类 code such as 0101
    reported_at: str
    closed_at: str | None
    status: str  # 1 受理 2 分流 3 办理 4 办结 5 回访
    division_code: str
    address: str
    summary: str
    updated_at: str
    parties: list[IncidentPartyPayload]


def household_id(payload: HouseholdPayload) -> str:
    """The record id public security gives a household (户号)."""
    return str(payload.get("hh_no", ""))


def incident_id(payload: IncidentPayload) -> str:
    """The record id public security gives an incident (警情编号)."""
    return str(payload.get("incident_no", ""))


def changed_at(payload: HouseholdPayload | IncidentPayload) -> dt.datetime | None:
    """When public security last changed the record (its `updated_at`), None when unreadable."""
    return parse_or_none(parse_datetime, payload.get("updated_at"))
