"""民政 civil affairs: benefit rolls and assistance applications as GBK CSV exports behind an API key.

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
from hub.simulator.model import CST, AssistanceApplication, Benefit, County, Person
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


def routes(*, benefits: list[Listed], assistance: list[Listed], settings: SimulatorSettings) -> Mount:
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
        ],
    )
