"""Shared fixtures: a simulator serving the golden county (the county itself is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from hub.simulator import County, SimulatorSettings
from hub.simulator.clock import ManualClock
from hub.simulator.server import running_simulator


@pytest.fixture(scope="session")
def simulator_url(golden_county: County) -> Iterator[str]:
    with running_simulator(county=golden_county) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def manual_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def bearer(http: requests.Session, simulator_url: str) -> dict[str, str]:
    """Authorization header with a fresh public-security token for the session's simulator."""
    settings = SimulatorSettings()
    response = http.post(
        f"{simulator_url}/public-security/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": settings.public_security_client_id,
            "client_secret": settings.public_security_client_secret,
        },
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
