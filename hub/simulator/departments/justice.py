"""司法 justice: mediation cases and correction subjects behind HTTP Basic auth.

camelCase JSON in a `{"code", "msg", "data"}` envelope, dates as epoch milliseconds, page numbers
with totals.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from collections.abc import Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hub.simulator.departments.listing import BadParameter, Item, Listed, changed_since, fault_of, int_param
from hub.simulator.model import CST, CorrectionSubject, County, MediationCase
from hub.simulator.profiles import REPEATED_ITEMS
from hub.simulator.settings import SimulatorSettings

MAX_PAGE = 200
DEFAULT_PAGE = 100


def epoch_millis(moment: dt.datetime | dt.date | None) -> int | None:
    """Milliseconds since the epoch; a date counts from its midnight in China Standard Time."""
    if moment is None:
        return None
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(), CST)
    return int(moment.timestamp()) * 1000


def mediation_records(county: County) -> list[Listed]:
    """Mediation cases in case-number order."""
    ordered = sorted(county.mediations, key=lambda case: case.case_no)
    return [
        Listed(
            case.case_no,
            case.updated_at,
            _mediation_item(county, case),
            entity=f"case:{case.case_no}",
            persons=tuple(party.person_key for party in case.parties),
        )
        for case in ordered
    ]


def _mediation_item(county: County, case: MediationCase) -> Item:
    parties = []
    for party in case.parties:
        person = county.persons_by_key[party.person_key]
        parties.append({"idCard": person.id_number, "name": person.name, "role": party.role})
    return {
        "caseNo": case.case_no,
        "caseType": case.case_type,
        "acceptTime": epoch_millis(case.accepted_at),
        "closeTime": epoch_millis(case.closed_at),
        "followUpTime": epoch_millis(case.followed_up_at),
        "status": case.status,
        "divisionCode": case.division_code,
        "level": case.level,
        "result": case.result,
        "mediator": case.mediator,
        "sourcePetitionNo": case.source_petition_no,
        "sourceIncidentNo": case.source_incident_no,
        "updateTime": epoch_millis(case.updated_at),
        "parties": parties,
    }


def correction_records(county: County) -> list[Listed]:
    """Correction and released subjects in ID-number order."""
    items = [(_correction_item(county, subject), subject) for subject in county.corrections]
    items.sort(key=lambda pair: (pair[0]["idCard"], pair[0]["subjectType"]))
    return [
        Listed(
            f"{item['idCard']}:{item['subjectType']}",
            subject.updated_at,
            item,
            entity=f"correction:{subject.person_key}:{subject.subject_type}",
            persons=(subject.person_key,),
        )
        for item, subject in items
    ]


def _correction_item(county: County, subject: CorrectionSubject) -> Item:
    person = county.persons_by_key[subject.person_key]
    return {
        "idCard": person.id_number,
        "name": person.name,
        "subjectType": subject.subject_type,
        "startDate": epoch_millis(subject.start_date),
        "endDate": epoch_millis(subject.end_date),
        "divisionCode": subject.division_code,
        "updateTime": epoch_millis(subject.updated_at),
    }


def _envelope(
    code: int, msg: str, data: object, status_code: int, headers: dict[str, str] | None = None
) -> Response:
    body = orjson.dumps({"code": code, "msg": msg, "data": data})
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")


def _authorised(request: Request, settings: SimulatorSettings) -> bool:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected = f"{settings.justice_username}:{settings.justice_password}".encode()
    return secrets.compare_digest(f"{user}:{password}".encode(), expected)


def routes(*, mediations: list[Listed], corrections: list[Listed], settings: SimulatorSettings) -> Mount:
    """The bureau's API under `/justice`, serving the given records (see the builders)."""

    def listing(records: list[Listed]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            if not _authorised(request, settings):
                return _envelope(
                    401, "unauthorized", None, 401, {"WWW-Authenticate": 'Basic realm="justice"'}
                )
            try:
                page_no = int_param(request, "pageNo", default=1, low=1, high=10**9)
                page_size = int_param(request, "pageSize", default=DEFAULT_PAGE, low=1, high=MAX_PAGE)
                since_ms = int_param(request, "updatedSince", default=0, low=0, high=10**15)
            except BadParameter as error:
                return _envelope(400, str(error), None, 400)
            since = dt.datetime.fromtimestamp(since_ms / 1000, CST) if since_ms else None
            matching = changed_since(records, since)
            start = (page_no - 1) * page_size
            # A repeated-items fault: a record inserted meanwhile shifts the pages by one, so the
            # previous page's last record comes again first.
            first = start - 1 if fault_of(request) == REPEATED_ITEMS and start > 0 else start
            data = {
                "total": len(matching),
                "pageNo": page_no,
                "pageSize": page_size,
                "records": [record.item for record in matching[first : start + page_size]],
            }
            return _envelope(0, "success", data, 200)

        return endpoint

    return Mount(
        "/justice",
        routes=[
            Route("/api/mediationCases", listing(mediations), methods=["GET"]),
            Route("/api/correctionSubjects", listing(corrections), methods=["GET"]),
        ],
    )
