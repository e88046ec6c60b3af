from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from hub.simulator import County, SimulatorSettings
from hub.simulator.clock import ManualClock
from hub.simulator.server import running_simulator

HOUSEHOLDS = "/public-security/api/households"
INCIDENTS = "/public-security/api/incidents"


def _walk(http: requests.Session, url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        response = http.get(url, headers=headers, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.json()
        items += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _token(http: requests.Session, base_url: str, secret: str = "hub-secret") -> requests.Response:
    form = {"grant_type": "client_credentials", "client_id": "hub", "client_secret": secret}
    return http.post(f"{base_url}/public-security/oauth/token", data=form)


def test_token_is_issued_for_client_credentials(http: requests.Session, simulator_url: str) -> None:
    body = _token(http, simulator_url).json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300 and body["access_token"]


def test_wrong_client_secret_is_refused(http: requests.Session, simulator_url: str) -> None:
    response = _token(http, simulator_url, secret="guess")
    assert response.status_code == 401 and response.json() == {"error": "invalid_client"}


def test_missing_token_gets_401_invalid_token(http: requests.Session, simulator_url: str) -> None:
    response = http.get(simulator_url + HOUSEHOLDS)
    assert response.status_code == 401 and response.json() == {"error": "invalid_token"}


def test_expired_token_gets_401(
    http: requests.Session, golden_county: County, manual_clock: ManualClock
) -> None:
    settings = SimulatorSettings(public_security_token_ttl_seconds=60)
    with running_simulator(county=golden_county, settings=settings, clock=manual_clock) as base_url:
        headers = {"Authorization": f"Bearer {_token(http, base_url).json()['access_token']}"}
        assert http.get(base_url + HOUSEHOLDS, headers=headers).status_code == 200
        manual_clock.advance(61)
        response = http.get(base_url + HOUSEHOLDS, headers=headers)
        assert response.status_code == 401 and response.json() == {"error": "invalid_token"}
        fresh = {"Authorization": f"Bearer {_token(http, base_url).json()['access_token']}"}
        assert http.get(base_url + HOUSEHOLDS, headers=fresh).status_code == 200


def test_cursor_walk_returns_every_household_once_as_in_truth(
    http: requests.Session, simulator_url: str, bearer: dict[str, str], golden_county: County
) -> None:
    items = _walk(http, simulator_url + HOUSEHOLDS, bearer, limit=97)
    assert [item["hh_no"] for item in items] == sorted(h.hh_no for h in golden_county.households)
    for item in items:
        truth = golden_county.households_by_no[item["hh_no"]]
        assert item["address"] == truth.address and item["division_code"] == truth.division_code
        persons = [golden_county.persons_by_key[member.person_key] for member in truth.members]
        assert [m["id_no"] for m in item["members"]] == [person.id_number for person in persons]
        assert [m["relation"] for m in item["members"]] == [member.relation for member in truth.members]
        assert dt.datetime.fromisoformat(item["updated_at"]) == truth.updated_at


def test_cursor_walk_returns_every_incident_with_parties(
    http: requests.Session, simulator_url: str, bearer: dict[str, str], golden_county: County
) -> None:
    items = _walk(http, simulator_url + INCIDENTS, bearer, limit=500)
    assert [item["incident_no"] for item in items] == [
        incident.incident_no for incident in golden_county.incidents
    ]
    first = items[0]
    truth = golden_county.incidents[0]
    assert first["kind"] == truth.kind and first["status"] == truth.status
    assert [party["role"] for party in first["parties"]] == [party.role for party in truth.parties]
    assert first["reported_at"].endswith("+08:00")


def test_updated_since_keeps_only_later_changes_across_pages(
    http: requests.Session, simulator_url: str, bearer: dict[str, str], golden_county: County
) -> None:
    since = dt.datetime(2026, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    items = _walk(http, simulator_url + HOUSEHOLDS, bearer, limit=50, updated_since=since.isoformat())
    expected = sorted(h.hh_no for h in golden_county.households if h.updated_at >= since)
    assert 0 < len(expected) < len(golden_county.households)
    assert [item["hh_no"] for item in items] == expected


def test_limit_above_500_and_foreign_cursor_are_rejected(
    http: requests.Session, simulator_url: str, bearer: dict[str, str]
) -> None:
    assert http.get(simulator_url + HOUSEHOLDS, headers=bearer, params={"limit": 501}).status_code == 400
    assert (
        http.get(simulator_url + HOUSEHOLDS, headers=bearer, params={"cursor": "bm90LW91cnM="}).status_code
        == 400
    )
