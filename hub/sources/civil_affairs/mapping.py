"""Civil-affairs rows → canonical tags (benefits) and assistance cases."""

from __future__ import annotations

import datetime as dt

from hub.sources import fields
from hub.sources.canonical import (
    CaseKind,
    CaseLinkRecord,
    CaseRecord,
    CaseStatus,
    Department,
    PartyRecord,
    SourceRef,
    TagRecord,
)
from hub.sources.civil_affairs import records as col
from hub.sources.civil_affairs.records import AssistanceRow, BenefitRow, benefit_id

DEPARTMENT = Department.CIVIL_AFFAIRS


def map_benefit(row: BenefitRow) -> TagRecord:
    """A benefit row (低保, 特困, 残疾人, 留守老人/儿童) as a tag on its person, with period and amount."""
    kind = fields.translate(
        "tag_sources", DEPARTMENT, row.get(col.BENEFIT_CATEGORY), field=col.BENEFIT_CATEGORY
    )
    person = fields.person(
        name=row.get(col.NAME),
        id_number=row.get(col.ID_NUMBER) or None,
        name_field=col.NAME,
        id_field=col.ID_NUMBER,
    )
    valid_from = fields.parse_chinese_date(fields.require_str(row, col.START_DATE), field=col.START_DATE)
    valid_to = fields.parse_optional_chinese_date(row.get(col.END_DATE), field=col.END_DATE)
    if valid_to is not None and valid_to < valid_from:
        raise fields.reject(col.END_DATE, "before_start", f"ends {valid_to} before it starts {valid_from}")
    record_id = benefit_id(row)
    if not record_id:
        raise fields.reject(
            col.ID_NUMBER, "missing", "the row names neither an ID number nor a name and 户号"
        )
    return TagRecord(
        person=person,
        kind=kind["tag_kind"],
        valid_from=valid_from,
        valid_to=valid_to,
        amount=fields.parse_money(row.get(col.MONTHLY_AMOUNT), field=col.MONTHLY_AMOUNT),
        household_no=fields.optional_str(row, col.HOUSEHOLD_NO),
        source=SourceRef(DEPARTMENT, record_id),
    )


def map_assistance(row: AssistanceRow) -> CaseRecord:
    """An assistance application (救助申请) as a case of kind assistance, applicant as party."""
    application_no = fields.require_str(row, col.APPLICATION_NO)
    category = fields.translate(
        "case_categories", DEPARTMENT, row.get(col.ASSISTANCE_TYPE), field=col.ASSISTANCE_TYPE
    )
    status = fields.translate("case_statuses", DEPARTMENT, row.get(col.STATUS), field=col.STATUS)
    current = CaseStatus(status["status"])
    updated_on = fields.parse_optional_chinese_date(row.get(col.UPDATED_ON), field=col.UPDATED_ON)
    applicant = fields.person(
        name=row.get(col.NAME),
        id_number=row.get(col.ID_NUMBER) or None,
        name_field=col.NAME,
        id_field=col.ID_NUMBER,
    )
    applied_on = fields.parse_chinese_date(fields.require_str(row, col.APPLIED_ON), field=col.APPLIED_ON)
    decided_on = fields.parse_optional_chinese_date(row.get(col.DECIDED_ON), field=col.DECIDED_ON)
    opened_at = _start_of_day(applied_on)
    closed_at = _start_of_day(decided_on) if decided_on else None
    related = fields.optional_str(row, col.RELATED_CASE_NO)
    return CaseRecord(
        case_no=application_no,
        department=DEPARTMENT,
        kind=CaseKind.ASSISTANCE,
        category=category.code,
        status=current,
        outcome=status.get("outcome"),
        opened_at=opened_at,
        closed_at=closed_at,
        division_code=fields.optional_str(row, col.DIVISION_CODE),
        amount=fields.parse_money(row.get(col.AMOUNT), field=col.AMOUNT),
        source=SourceRef(DEPARTMENT, application_no),
        parties=(PartyRecord(person=applicant, role="applicant"),),
        # The petition or incident the application came out of.
        links=(CaseLinkRecord(target_case_no=related, relation="originated_from"),) if related else (),
        events=fields.derive_events(
            opened_at=opened_at,
            closed_at=closed_at,
            status=current,
            status_since=_start_of_day(updated_on) if updated_on else None,
        ),
    )


def _start_of_day(day: dt.date) -> dt.datetime:
    # Civil affairs records dates only; a case event needs a time, so it is the day's start in CST.
    return dt.datetime.combine(day, dt.time(0), tzinfo=fields.CHINA_TZ)
