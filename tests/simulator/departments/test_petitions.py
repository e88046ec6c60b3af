from __future__ import annotations

from typing import Any

import orjson
import requests

from hub.simulator import County, SimulatorSettings
from hub.simulator.clock import ManualClock
from hub.simulator.server import running_simulator

FEED = "/petitions/feed"
TOKEN = {"Authorization": "Token hub-petitions-token"}


def _lines(response: requests.Response) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in response.content.splitlines()]


def _walk(
    http: requests.Session, base_url: str, since: str | None, limit: int
) -> tuple[list[dict[str, Any]], str]:
    versions: list[dict[str, Any]] = []
    while True:
        query: dict[str, str | int] = {"limit": limit, **({"since": since} if since else {})}
        response = http.get(base_url + FEED, headers=TOKEN, params=query)
        assert response.status_code == 200
        since = response.headers["X-Next-Since"]
        if not response.content:
            return versions, since
        assert response.headers["content-type"].startswith("application/x-ndjson")
        versions += _lines(response)


def test_missing_or_wrong_token_gets_401(http: requests.Session, simulator_url: str) -> None:
    assert http.get(simulator_url + FEED).status_code == 401
    assert http.get(simulator_url + FEED, headers={"Authorization": "Token guess"}).status_code == 401


def test_feed_walk_delivers_every_version_once_oldest_first(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    versions, _ = _walk(http, simulator_url, since=None, limit=33)
    assert len(versions) == sum(len(petition.versions) for petition in golden_county.petitions)
    keys = [(version["petition_no"], version["status"]) for version in versions]
    assert len(set(keys)) == len(keys)
    changes = [version["changed_at"] for version in versions]
    assert changes == sorted(changes)


def test_latest_version_of_each_petition_matches_truth(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    versions, _ = _walk(http, simulator_url, since=None, limit=500)
    latest = {version["petition_no"]: version for version in versions}
    assert latest.keys() == {petition.petition_no for petition in golden_county.petitions}
    for petition in golden_county.petitions:
        served = latest[petition.petition_no]
        assert served["status"] == petition.current.status
        assert served["referred_case_no"] == petition.current.referred_case_no
        assert (
            served["is_repeat"] == petition.is_repeat and served["deadline"] == petition.deadline.isoformat()
        )
        assert (
            served["petitioner"]["id_no"] == golden_county.persons_by_key[petition.petitioner_key].id_number
        )


def test_resuming_from_next_since_returns_nothing_when_caught_up(
    http: requests.Session, simulator_url: str
) -> None:
    _, since = _walk(http, simulator_url, since=None, limit=500)
    response = http.get(simulator_url + FEED, headers=TOKEN, params={"since": since})
    assert (
        response.status_code == 200 and response.content == b"" and response.headers["X-Next-Since"] == since
    )


def test_resuming_mid_feed_continues_after_the_last_line(http: requests.Session, simulator_url: str) -> None:
    everything, _ = _walk(http, simulator_url, since=None, limit=500)
    first = http.get(simulator_url + FEED, headers=TOKEN, params={"limit": 10})
    rest, _ = _walk(http, simulator_url, since=first.headers["X-Next-Since"], limit=500)
    assert _lines(first) + rest == everything


def test_calls_beyond_the_budget_get_429_with_retry_after(
    http: requests.Session, golden_county: County, manual_clock: ManualClock
) -> None:
    settings = SimulatorSettings(petitions_requests_per_second=2)
    with running_simulator(county=golden_county, settings=settings, clock=manual_clock) as base_url:
        assert [http.get(base_url + FEED, headers=TOKEN).status_code for _ in range(2)] == [200, 200]
        throttled = http.get(base_url + FEED, headers=TOKEN)
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
        manual_clock.advance(1)
        assert http.get(base_url + FEED, headers=TOKEN).status_code == 200


def test_foreign_since_token_is_rejected(http: requests.Session, simulator_url: str) -> None:
    assert http.get(simulator_url + FEED, headers=TOKEN, params={"since": "garbage"}).status_code == 400
