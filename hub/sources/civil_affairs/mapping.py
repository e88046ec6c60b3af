"""Civil-affairs rows → canonical tags (benefits), assistance cases, household ratings and moral points."""

from __future__ import annotations

import datetime as dt
import re

from hub.reference import ReferenceEntry, known_code, load_table
from hub.sources import fields
from hub.sources.canonical import (
    CaseKind,
    CaseLinkRecord,
    CaseRecord,
    CaseStatus,
    Department,
    HouseholdRatingRecord,
    MoralPointRecord,
    PartyRecord,
    SourceRef,
    TagRecord,
)
from hub.sources.civil_affairs import records as col
from hub.sources.civil_affairs.records import (
    AssistanceRow,
    BenefitRow,
    HouseholdRatingRow,
    MoralPointRow,
    benefit_id,
    moral_point_id,
    rating_id,
)

DEPARTMENT = Department.CIVIL_AFFAIRS
# An assistance application arising from a petition or an incident links to it as its origin.
ORIGINATED_FROM = known_code("case_link_relations", "originated_from")
# 户号 as the public-security register writes it: 12-digit village code and a 6-digit number.
_HOUSEHOLD_NO = re.compile(r"^\d{18}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
MAX_STARS = 10
# The assessments the hub takes: the scheme started in 2005; a year ahead of the calendar is a typo.
_FIRST_RATED_YEAR = 2005


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
        links=(CaseLinkRecord(target_case_no=related, relation=ORIGINATED_FROM),) if related else (),
        events=fields.derive_events(
            opened_at=opened_at,
            closed_at=closed_at,
            status=current,
            status_since=_start_of_day(updated_on) if updated_on else None,
        ),
    )


def map_rating(row: HouseholdRatingRow) -> HouseholdRatingRecord:
    """A 十星级文明户 row as one household's stars (0–10) for one year, with who assessed it and when."""
    hh_no = _household_no(row)
    year = _integer(row, col.RATING_YEAR)
    assessed_on = fields.parse_chinese_date(fields.require_str(row, col.ASSESSED_ON), field=col.ASSESSED_ON)
    if not _FIRST_RATED_YEAR <= year <= assessed_on.year:
        raise fields.reject(
            col.RATING_YEAR,
            "out_of_range",
            f"year {year} is not between {_FIRST_RATED_YEAR} and {assessed_on.year}, when it was assessed",
        )
    stars = _integer(row, col.STARS)
    if not 0 <= stars <= MAX_STARS:
        raise fields.reject(col.STARS, "out_of_range", f"{stars} stars is not between 0 and {MAX_STARS}")
    return HouseholdRatingRecord(
        hh_no=hh_no,
        year=year,
        stars=stars,
        assessed_by=fields.require_str(row, col.ASSESSED_BY),
        assessed_on=assessed_on,
        source=SourceRef(DEPARTMENT, rating_id(row)),
    )


def map_moral_point(row: MoralPointRow) -> MoralPointRecord:
    """A 道德银行 entry: its reason as a code, points signed as the reason says, and the balance after."""
    entry_no = fields.require_str(row, col.ENTRY_NO)
    hh_no = _household_no(row)
    reason = _reason(row)
    points = _integer(row, col.POINTS)
    earns = reason["sign"] == "+"
    if points == 0 or (points > 0) != earns:
        wanted = "positive" if earns else "negative"
        raise fields.reject(col.POINTS, "wrong_sign", f"{points} points for {reason.code}, not {wanted}")
    balance = _integer(row, col.BALANCE)
    if balance < 0:
        raise fields.reject(col.BALANCE, "negative", f"a balance of {balance}: the bank never overdraws")
    recorded_on = fields.parse_chinese_date(fields.require_str(row, col.RECORDED_ON), field=col.RECORDED_ON)
    return MoralPointRecord(
        entry_no=entry_no,
        hh_no=hh_no,
        recorded_on=recorded_on,
        reason=reason.code,
        points=points,
        balance=balance,
        source=SourceRef(DEPARTMENT, moral_point_id(row)),
    )


def _household_no(row: HouseholdRatingRow | MoralPointRow) -> str:
    hh_no = fields.require_str(row, col.HOUSEHOLD_NO)
    if not _HOUSEHOLD_NO.match(hh_no):
        raise fields.reject(col.HOUSEHOLD_NO, "bad_format", f"{hh_no!r} is not an 18-digit household number")
    return hh_no


def _integer(row: HouseholdRatingRow | MoralPointRow, field: str) -> int:
    text = fields.require_str(row, field)
    if not _INTEGER.match(text):
        raise fields.reject(field, "bad_number", f"{text!r} is not a whole number")
    return int(text)


def _reason(row: MoralPointRow) -> ReferenceEntry:
    """The reason's row in `moral_point_reasons`, found by the department's wording (its `label_zh`)."""
    text = fields.require_str(row, col.POINT_REASON)
    entry = next((e for e in load_table("moral_point_reasons") if e.label_zh == text), None)
    if entry is None:
        raise fields.reject(col.POINT_REASON, "unknown_code", f"{text!r} is not a known moral-bank reason")
    return entry


def _start_of_day(day: dt.date) -> dt.datetime:
    # Civil affairs records dates only; a case event needs a time, so it is the day's start in CST.
    return dt.datetime.combine(day, dt.time(0), tzinfo=fields.CHINA_TZ)
