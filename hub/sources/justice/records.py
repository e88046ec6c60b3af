"""Records as justice sends them: camelCase JSON, dates as epoch milliseconds, status words."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from hub.sources.fields import parse_epoch_ms, parse_or_none


class MediationPartyPayload(TypedDict, total=False):
    idCard: str | None
    name: str
    role: str  # applicant | respondent


class MediationCasePayload(TypedDict, total=False):
    caseNo: str
    caseType: str  # 人民调解纠纷类型, written in Chinese (婚姻家庭纠纷 …)
    acceptTime: int
    closeTime: int | None
    followUpTime: int | None
    status: str  # accepted | mediating | closed | followedUp
    divisionCode: str
    level: str  # village | township | county
    result: str | None  # success | failure
    mediator: str
    sourcePetitionNo: str | None
    sourceIncidentNo: str | None
    updateTime: int
    parties: list[MediationPartyPayload]


class CorrectionSubjectPayload(TypedDict, total=False):
    idCard: str | None
    name: str
    subjectType: str  # correction (社区矫正) | released (刑满释放)
    startDate: int
    endDate: int | None
    divisionCode: str
    updateTime: int


class PagePayload(TypedDict):
    total: int
    pageNo: int
    pageSize: int
    records: list[dict[str, object]]


def mediation_case_id(payload: MediationCasePayload) -> str:
    """The record id justice gives a mediation case (调解案号)."""
    return str(payload.get("caseNo") or "")


def correction_subject_id(payload: CorrectionSubjectPayload) -> str:
    """Justice has no subject number: a subject is one person's correction or release from a start date.

    The person is their ID number, or their name when the record has none.
    """
    who = payload.get("idCard") or payload.get("name")
    parts = (who, payload.get("subjectType"), payload.get("startDate"))
    return "/".join(str(part) for part in parts) if all(parts) else ""


def changed_at(payload: MediationCasePayload | CorrectionSubjectPayload) -> dt.datetime | None:
    """Justice's `updateTime` (epoch milliseconds), None when unreadable."""
    return parse_or_none(parse_epoch_ms, payload.get("updateTime"))
