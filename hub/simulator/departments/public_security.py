"""公安 public security: the household register and police cases, behind OAuth2 client credentials.

JSON with ISO times (+08:00) and numeric codes; cursor pagination whose cursor is opaque to clients
(base64 of the last key and the filter, so a page walk survives records being added).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import secrets
from collections.abc import Callable
from itertools import islice
from urllib.parse import parse_qs

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hub.simulator.departments.listing import BadParameter, Item, Listed, fault_of, int_param, parse_iso
from hub.simulator.model import County, Incident, Party
from hub.simulator.profiles import EXPIRED_TOKEN, REPEATED_ITEMS
from hub.simulator.settings import SimulatorSettings

MAX_PAGE = 500
DEFAULT_PAGE = 100


def household_records(county: County) -> list[Listed]:
    """The household register as the bureau serves it, in 户号 order."""
    records = []
    for household in county.households:
        members = []
        for member in household.members:
            person = county.persons_by_key[member.person_key]
            members.append(
                {
                    "id_no": person.id_number,
                    "name": person.name,
                    "sex": person.sex,
                    "nation": person.ethnicity,
                    "birth_date": person.birth_date.isoformat(),
                    "relation": member.relation,
                    "phone": person.phone,
                }
            )
        item: Item = {
            "hh_no": household.hh_no,
            "division_code": household.division_code,
            "address": household.address,
            "updated_at": household.updated_at.isoformat(),
            "members": members,
        }
        records.append(
            Listed(
                household.hh_no,
                household.updated_at,
                item,
                entity=f"household:{household.hh_no}",
                persons=tuple(member.person_key for member in household.members),
            )
        )
    return sorted(records, key=lambda record: record.key)


def incident_records(county: County) -> list[Listed]:
    """Incidents, public-order and criminal cases, in case-number order."""
    return [
        Listed(
            incident.incident_no,
            incident.updated_at,
            _incident_item(county, incident),
            entity=f"case:{incident.incident_no}",
            persons=tuple(party.person_key for party in incident.parties),
        )
        for incident in sorted(county.incidents, key=lambda incident: incident.incident_no)
    ]


def _incident_item(county: County, incident: Incident) -> Item:
    return {
        "incident_no": incident.incident_no,
        "kind": incident.kind,
        "category": incident.category,
        "reported_at": incident.reported_at.isoformat(),
        "closed_at": incident.closed_at.isoformat() if incident.closed_at is not None else None,
        "status": incident.status,
        "division_code": incident.division_code,
        "address": incident.address,
        "summary": incident.summary,
        "updated_at": incident.updated_at.isoformat(),
        "parties": [_party_item(county, party) for party in incident.parties],
    }


def _party_item(county: County, party: Party) -> Item:
    person = county.persons_by_key[party.person_key]
    return {"id_no": person.id_number, "name": person.name, "role": party.role}


class _TokenIssuer:
    """Access tokens and their expiry on the caller's clock (monotonic seconds)."""

    def __init__(self, settings: SimulatorSettings, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        self._expiry[token] = self._clock() + self._settings.public_security_token_ttl_seconds
        return token

    def revoke(self, token: str) -> None:
        self._expiry.pop(token, None)

    def is_valid(self, token: str) -> bool:
        expiry = self._expiry.get(token)
        return expiry is not None and self._clock() < expiry


def _encode_cursor(after: str, since: str | None) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": after, "since": since})).decode()


def _decode_cursor(cursor: str) -> tuple[str, str | None]:
    try:
        state = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        after, since = state["after"], state["since"]
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise BadParameter("cursor is not one this API issued") from None
    if not isinstance(after, str) or not (since is None or isinstance(since, str)):
        raise BadParameter("cursor is not one this API issued")
    return after, since


def _json(content: object, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(content), status_code=status_code, headers=headers, media_type="application/json"
    )


def routes(
    *,
    households: list[Listed],
    incidents: list[Listed],
    settings: SimulatorSettings,
    clock: Callable[[], float],
) -> Mount:
    """The bureau's API under `/public-security`, serving the given records (see the builders)."""
    tokens = _TokenIssuer(settings, clock)

    async def token(request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        if (form.get("client_id"), form.get("client_secret")) != (
            settings.public_security_client_id,
            settings.public_security_client_secret,
        ):
            return _json({"error": "invalid_client"}, 401)
        ttl = settings.public_security_token_ttl_seconds
        return _json({"access_token": tokens.issue(), "token_type": "Bearer", "expires_in": int(ttl)})

    def listing(records: list[Listed]) -> Callable[[Request], Response]:
        keys = [record.key for record in records]

        def endpoint(request: Request) -> Response:
            scheme, _, credential = request.headers.get("authorization", "").partition(" ")
            fault = fault_of(request)
            if fault == EXPIRED_TOKEN:
                tokens.revoke(credential)  # expired before its time (a restart of the token service)
            if scheme.lower() != "bearer" or not tokens.is_valid(credential):
                return _json(
                    {"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
                )
            try:
                limit = int_param(request, "limit", default=DEFAULT_PAGE, low=1, high=MAX_PAGE)
                cursor = request.query_params.get("cursor")
                if cursor:
                    # The cursor carries the filter too, so later pages cannot drift from the first.
                    after, since_text = _decode_cursor(cursor)
                    start = bisect.bisect_right(keys, after)
                else:
                    since_text, start = request.query_params.get("updated_since") or None, 0
                since = parse_iso("updated_since", since_text)
            except BadParameter as error:
                return _json({"error": "invalid_request", "error_description": str(error)}, 400)
            matching = (
                record for record in islice(records, start, None) if since is None or record.changed >= since
            )
            page = list(islice(matching, limit + 1))
            next_cursor = _encode_cursor(page[limit - 1].key, since_text) if len(page) > limit else None
            page = page[:limit]
            if fault == REPEATED_ITEMS and cursor and start > 0:
                # A replica lagging one record behind: the record the cursor points at comes again.
                page = [records[start - 1], *page]
            return _json({"data": [record.item for record in page], "next_cursor": next_cursor})

        return endpoint

    return Mount(
        "/public-security",
        routes=[
            Route("/oauth/token", token, methods=["POST"]),
            Route("/api/households", listing(households), methods=["GET"]),
            Route("/api/incidents", listing(incidents), methods=["GET"]),
        ],
    )
