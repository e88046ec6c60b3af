from __future__ import annotations

import requests

from hub.simulator import County, generate_county
from hub.simulator.server import running_simulator

_BEARER = None  # a fresh public-security token
_ENDPOINTS: tuple[tuple[str, dict[str, str] | None, dict[str, int]], ...] = (
    ("/registry/divisions", {}, {"limit": 1000}),
    ("/registry/grids", {}, {"limit": 1000}),
    ("/registry/grid-workers", {}, {"limit": 1000}),
    ("/registry/addresses", {}, {"limit": 1000}),
    ("/public-security/api/households", _BEARER, {"limit": 500}),
    ("/public-security/api/incidents", _BEARER, {"limit": 500}),
    ("/civil-affairs/export/benefits.csv", {"X-API-Key": "hub-civil-key"}, {"limit": 1000}),
    ("/civil-affairs/export/assistance.csv", {"X-API-Key": "hub-civil-key"}, {"limit": 1000}),
    ("/justice/api/mediationCases", {"Authorization": "Basic aHViOmh1Yi1qdXN0aWNl"}, {"pageSize": 200}),
    ("/justice/api/correctionSubjects", {"Authorization": "Basic aHViOmh1Yi1qdXN0aWNl"}, {"pageSize": 200}),
    ("/petitions/feed", {"Authorization": "Token hub-petitions-token"}, {"limit": 500}),
)


def _served_bytes(http: requests.Session, county: County) -> dict[str, bytes]:
    """The first page of every endpoint (with headers that carry data) for one county."""
    with running_simulator(county=county) as base_url:
        form = {"grant_type": "client_credentials", "client_id": "hub", "client_secret": "hub-secret"}
        token = http.post(f"{base_url}/public-security/oauth/token", data=form).json()["access_token"]
        served = {}
        for path, headers, params in _ENDPOINTS:
            auth = {"Authorization": f"Bearer {token}"} if headers is _BEARER else headers
            response = http.get(base_url + path, headers=auth, params=params)
            assert response.status_code == 200, path
            data_headers = [response.headers.get(name, "") for name in ("X-Total-Count", "X-Next-Since")]
            served[path] = response.content + "|".join(data_headers).encode()
        return served


def test_same_seed_serves_identical_bytes(http: requests.Session) -> None:
    first = _served_bytes(http, generate_county(seed=11, scale=300))
    second = _served_bytes(http, generate_county(seed=11, scale=300))
    assert first == second


def test_different_seed_serves_different_bytes(http: requests.Session) -> None:
    first = _served_bytes(http, generate_county(seed=11, scale=300))
    second = _served_bytes(http, generate_county(seed=12, scale=300))
    assert first["/public-security/api/households"] != second["/public-security/api/households"]
    assert first["/petitions/feed"] != second["/petitions/feed"]


def test_unknown_path_is_404(http: requests.Session, simulator_url: str) -> None:
    assert http.get(simulator_url + "/public-security/api/nothing").status_code == 404
