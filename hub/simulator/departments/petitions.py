"""信访 petitions: a JSON Lines change feed of petition versions, behind a token and a rate limit.

Every change of a petition is one line, oldest first. The `since` token is opaque to clients: the
base64 of the last delivered change's (time, number, version), so a client that resumes from it
never skips a change that shares a timestamp with another.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import math
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hub.simulator.departments.listing import BadParameter, Item, Listed, fault_of, int_param
from hub.simulator.model import County, Petition, PetitionVersion
from hub.simulator.profiles import REPEATED_ITEMS
from hub.simulator.settings import SimulatorSettings

MAX_PAGE = 500
DEFAULT_PAGE = 100
FEED_MEDIA_TYPE = "application/x-ndjson"

_Position = tuple[int, str, int]  # changed_at epoch ms, petition number, version index
_START: _Position = (0, "", -1)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    position: _Position
    line: bytes


def version_records(county: County) -> list[Listed]:
    """Every petition version as a feed item, in change order.

    The key spells the feed position (`<epoch ms>|<petition no>|<version index>`), so sorting keys
    sorts changes and a noisy duplicate (`key~dup`) lands right after its original.
    """
    records = []
    for petition in county.petitions:
        persons = (petition.petitioner_key, *petition.co_petitioner_keys)
        for index, version in enumerate(petition.versions):
            millis = int(version.changed_at.timestamp()) * 1000
            records.append(
                Listed(
                    f"{millis:015d}|{petition.petition_no}|{index:03d}",
                    version.changed_at,
                    _version_item(county, petition, version),
                    entity=f"case:{petition.petition_no}",
                    persons=persons,
                )
            )
    return sorted(records, key=lambda record: record.key)


def feed_entries(county: County | None, records: list[Listed] | None = None) -> list[FeedEntry]:
    """Every petition version as a feed line, in change order: `records` when given, else the
    county's clean versions."""
    if records is None:
        if county is None:
            raise ValueError("feed_entries needs a county or records")
        records = version_records(county)
    entries = [FeedEntry(_position(record.key), orjson.dumps(record.item) + b"\n") for record in records]
    return sorted(entries, key=lambda entry: entry.position)


def _position(key: str) -> _Position:
    millis, number, index = key.split("|")
    # A duplicate's key ends in `~dup`; folding that into the number keeps positions unique and
    # ordered, so a client resuming from the original still receives the copy.
    return int(millis), number + index[3:], int(index[:3])


def _version_item(county: County, petition: Petition, version: PetitionVersion) -> Item:
    petitioner = county.persons_by_key[petition.petitioner_key]
    co_petitioners = [county.persons_by_key[key] for key in petition.co_petitioner_keys]
    return {
        "petition_no": petition.petition_no,
        "channel": petition.channel,
        "category": petition.category,
        "petitioner": {"id_no": petitioner.id_number, "name": petitioner.name, "phone": petitioner.phone},
        "co_petitioners": [{"id_no": person.id_number, "name": person.name} for person in co_petitioners],
        "is_repeat": petition.is_repeat,
        "is_group": petition.is_group,
        "received_at": petition.received_at.isoformat(),
        "deadline": petition.deadline.isoformat(),
        "status": version.status,
        "assigned_to": version.assigned_to,
        "referred_case_no": version.referred_case_no,
        "replied_at": version.replied_at.isoformat() if version.replied_at is not None else None,
        "satisfaction": version.satisfaction,
        "division_code": petition.division_code,
        "changed_at": version.changed_at.isoformat(),
    }


def encode_since(position: _Position) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode()


def _decode_since(token: str) -> _Position:
    try:
        millis, number, index = orjson.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, orjson.JSONDecodeError, TypeError, ValueError):
        raise BadParameter("since is not a token this feed issued") from None
    if not (isinstance(millis, int) and isinstance(number, str) and isinstance(index, int)):
        raise BadParameter("since is not a token this feed issued")
    return millis, number, index


class _RateLimit:
    """A fixed budget of calls per clock second, as the petitions gateway enforces."""

    def __init__(self, per_second: int, clock: Callable[[], float]) -> None:
        self._per_second = per_second
        self._clock = clock
        self._window = -1
        self._calls = 0
        self._lock = threading.Lock()  # endpoints run in a thread pool

    def retry_after(self) -> int | None:
        """None when this call fits the budget, else whole seconds until the next window."""
        with self._lock:
            now = self._clock()
            window = math.floor(now)
            if window != self._window:
                self._window, self._calls = window, 0
            self._calls += 1
            if self._calls <= self._per_second:
                return None
        return max(1, math.ceil(window + 1 - now))


def routes(*, versions: list[Listed], settings: SimulatorSettings, clock: Callable[[], float]) -> Mount:
    """The bureau's feed under `/petitions`, serving `versions` (see `version_records`)."""
    entries = feed_entries(None, versions)
    positions = [entry.position for entry in entries]
    limiter = _RateLimit(settings.petitions_requests_per_second, clock)
    expected = f"Token {settings.petitions_token}".encode()

    def feed(request: Request) -> Response:
        wait = limiter.retry_after()
        if wait is not None:
            return _json({"detail": "Request was throttled."}, 429, {"Retry-After": str(wait)})
        if not secrets.compare_digest(request.headers.get("authorization", "").encode(), expected):
            return _json({"detail": "Invalid token."}, 401, {"WWW-Authenticate": "Token"})
        try:
            limit = int_param(request, "limit", default=DEFAULT_PAGE, low=1, high=MAX_PAGE)
            since = request.query_params.get("since")
            after = _decode_since(since) if since else _START
        except BadParameter as error:
            return _json({"detail": str(error)}, 400)
        start = bisect.bisect_right(positions, after)  # first change after the one last delivered
        page = entries[start : start + limit]
        if fault_of(request) == REPEATED_ITEMS and since:
            # A replica lagging one change behind: the last change delivered comes again first.
            page = entries[max(0, start - 1) : start] + page
        next_since = encode_since(page[-1].position if page else after)
        return Response(
            b"".join(entry.line for entry in page),
            media_type=FEED_MEDIA_TYPE,
            headers={"X-Next-Since": next_since},
        )

    return Mount("/petitions", routes=[Route("/feed", feed, methods=["GET"])])


def _json(content: object, status_code: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(content), status_code=status_code, headers=headers, media_type="application/json"
    )
