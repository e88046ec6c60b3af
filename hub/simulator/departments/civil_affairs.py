"""民政 civil affairs: benefit rolls, assistance applications, 十星级文明户 ratings and 道德银行 points
as GBK CSV exports behind an API key.

The department's normal shape, not noise: dates written `2024年3月5日` or `2024/3/5` (whoever typed
the row), money as strings, and people born before 1990 sometimes under their legacy 15-digit ID.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from hub.simulator.departments.listing import BadParameter, Item, Listed, changed_since, fault_of, int_param
from hub.simulator.model import (
    CST,
    AssistanceApplication,
    Benefit,
    County,
    HouseholdRating,
    MoralPointEntry,
    Person,
)
from hub.simulator.profiles import REPEATED_ITEMS
from hub.simulator.settings import SimulatorSettings

MAX_PAGE = 1000
DEFAULT_PAGE = 100
ENCODING = "gbk"

BENEFIT_COLUMNS = ("身份证号", "姓名", "救助类别", "开始日期", "结束日期", "月发放金额", "户号", "更新日期")
ASSISTANCE_COLUMNS = (
    "申请编号",
    "身份证号",
    "姓名",
    "救助类型",
    "申请日期",
    "状态",
    "办结日期",
    "金额",
    "关联案件编号",
    "区划代码",
    "更新日期",
)
# Ratings and points name the household by 户号 alone: the register holds who lives there.
RATING_COLUMNS = ("户号", "评定年度", "星级", "评定单位", "评定日期", "更新日期")
MORAL_POINT_COLUMNS = ("流水号", "户号", "记录日期", "积分事由", "积分", "积分余额", "更新日期")


def written_date(day: dt.date | None, style: str) -> str:
    """A date as the clerk who keyed the row writes it; empty when there is none."""
    if day is None:
        return ""
    if style == "cjk":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.year}/{day.month}/{day.day}"


def written_id(person: Person, *, legacy: bool) -> str:
    """The ID number as civil affairs holds it: legacy 15-digit for some older people."""
    legacy_number = person.legacy_id_number if legacy else None
    return legacy_number or person.id_number


def benefit_records(county: County) -> list[Listed]:
    """Benefit rows in 户号, person, category order."""
    ordered = sorted(county.benefits, key=lambda b: (b.hh_no, b.person_key, b.category))
    return [
        Listed(
            _benefit_key(b),
            _day_start(b.updated_on),
            _benefit_row(county, b),
            entity=f"benefit:{_benefit_key(b)}",
            persons=(b.person_key,),
        )
        for b in ordered
    ]


def _benefit_key(benefit: Benefit) -> str:
    return f"{benefit.hh_no}:{benefit.person_key}:{benefit.category}"


def _benefit_row(county: County, benefit: Benefit) -> Item:
    person = county.persons_by_key[benefit.person_key]
    style = benefit.date_style
    values = (
        written_id(person, legacy=benefit.legacy_id),
        person.name,
        benefit.category,
        written_date(benefit.start_date, style),
        written_date(benefit.end_date, style),
        benefit.monthly_amount,
        benefit.hh_no,
        written_date(benefit.updated_on, style),
    )
    return dict(zip(BENEFIT_COLUMNS, values, strict=True))


def assistance_records(county: County) -> list[Listed]:
    """Assistance applications in application-number order."""
    ordered = sorted(county.assistance, key=lambda a: a.application_no)
    return [
        Listed(
            a.application_no,
            _day_start(a.updated_on),
            _assistance_row(county, a),
            entity=f"case:{a.application_no}",
            persons=(a.person_key,),
        )
        for a in ordered
    ]


def _assistance_row(county: County, application: AssistanceApplication) -> Item:
    person = county.persons_by_key[application.person_key]
    style = application.date_style
    values = (
        application.application_no,
        written_id(person, legacy=application.legacy_id),
        person.name,
        application.assistance_type,
        written_date(application.applied_on, style),
        application.status,
        written_date(application.decided_on, style),
        application.amount or "",
        application.related_case_no or "",
        application.division_code,
        written_date(application.updated_on, style),
    )
    return dict(zip(ASSISTANCE_COLUMNS, values, strict=True))


def rating_records(county: County) -> list[Listed]:
    """十星级文明户 assessments in 户号, year order: one row per household and year assessed."""
    ordered = sorted(county.ratings, key=lambda r: (r.hh_no, r.year))
    return [
        Listed(
            f"{r.hh_no}:{r.year}",
            _day_start(r.updated_on),
            _rating_row(r),
            entity=f"household_rating:{r.hh_no}:{r.year}",
        )
        for r in ordered
    ]


def _rating_row(rating: HouseholdRating) -> Item:
    style = rating.date_style
    values = (
        rating.hh_no,
        str(rating.year),
        str(rating.stars),
        rating.assessed_by,
        written_date(rating.assessed_on, style),
        written_date(rating.updated_on, style),
    )
    return dict(zip(RATING_COLUMNS, values, strict=True))


def moral_point_records(county: County) -> list[Listed]:
    """道德银行 entries in 流水号 order (a household's entries together, oldest first)."""
    ordered = sorted(county.moral_points, key=lambda e: e.entry_no)
    return [
        Listed(
            e.entry_no,
            _day_start(e.updated_on),
            _moral_point_row(e),
            entity=f"moral_point:{e.entry_no}",
        )
        for e in ordered
    ]


def _moral_point_row(entry: MoralPointEntry) -> Item:
    style = entry.date_style
    values = (
        entry.entry_no,
        entry.hh_no,
        written_date(entry.recorded_on, style),
        entry.reason,
        str(entry.points),
        str(entry.balance),
        written_date(entry.updated_on, style),
    )
    return dict(zip(MORAL_POINT_COLUMNS, values, strict=True))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), CST)


def render_csv(columns: tuple[str, ...], rows: list[Item]) -> bytes:
    """A header line and the rows, CRLF-terminated as the department's export tool writes them, in GBK."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    # A malformed row (noise) lacks its trailing columns, as when the export tool died mid-row.
    writer.writerows([row[column] for column in columns if column in row] for row in rows)
    return buffer.getvalue().encode(ENCODING)


def _changed_since_param(request: Request) -> dt.datetime | None:
    raw = request.query_params.get("changed_since")
    if not raw:
        return None
    try:
        return _day_start(dt.date.fromisoformat(raw))
    except ValueError:
        raise BadParameter("changed_since must be YYYY-MM-DD") from None


def routes(
    *,
    benefits: list[Listed],
    assistance: list[Listed],
    ratings: list[Listed],
    moral_points: list[Listed],
    settings: SimulatorSettings,
) -> Mount:
    """The department's export API under `/civil-affairs`, serving the given rows (see the builders)."""

    def export(path: str, columns: tuple[str, ...], records: list[Listed]) -> Route:
        def endpoint(request: Request) -> Response:
            sent = request.headers.get("x-api-key", "").encode()
            if not secrets.compare_digest(sent, settings.civil_affairs_api_key.encode()):
                return PlainTextResponse("invalid API key", 401)
            try:
                offset = int_param(request, "offset", default=0, low=0, high=10**9)
                limit = int_param(request, "limit", default=DEFAULT_PAGE, low=1, high=MAX_PAGE)
                matching = changed_since(records, _changed_since_param(request))
            except BadParameter as error:
                return PlainTextResponse(str(error), 400)
            # A repeated-items fault re-sends the previous page's last row first (offset drift).
            first = offset - 1 if fault_of(request) == REPEATED_ITEMS and offset > 0 else offset
            page = [record.item for record in matching[first : offset + limit]]
            return Response(
                render_csv(columns, page),
                media_type=f"text/csv; charset={ENCODING}",
                headers={"X-Total-Count": str(len(matching))},
            )

        return Route(path, endpoint, methods=["GET"])

    return Mount(
        "/civil-affairs",
        routes=[
            export("/export/benefits.csv", BENEFIT_COLUMNS, benefits),
            export("/export/assistance.csv", ASSISTANCE_COLUMNS, assistance),
            export("/export/household-ratings.csv", RATING_COLUMNS, ratings),
            export("/export/moral-points.csv", MORAL_POINT_COLUMNS, moral_points),
        ],
    )
