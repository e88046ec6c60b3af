"""The public-security client against the real simulator over loopback HTTP."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from hub.errors import SourceUnavailable
from hub.simulator import County
from hub.sources.public_security.client import PublicSecurityClient
from hub.sources.public_security.mapping import map_household, map_incident
from tests.sources.conftest import FAST_RETRY, Simulator


def client(simulator: Simulator, *, page_size: int = 100, shared_clock: bool = True) -> PublicSecurityClient:
    return PublicSecurityClient(
        simulator.url("public-security"),
        simulator.settings.public_security_client_id,
        simulator.settings.public_security_client_secret,
        timeout=10,
        page_size=page_size,
        retry=FAST_RETRY,
        clock=simulator.clock if shared_clock else time.monotonic,
    )


def test_every_household_is_fetched_exactly_once_across_pages(
    simulator: Simulator, golden_county: County
) -> None:
    fetched = [payload["hh_no"] for payload in client(simulator, page_size=97).iter_households()]
    assert Counter(fetched) == Counter(h.hh_no for h in golden_county.households)


def test_every_incident_is_fetched_once_and_maps(simulator: Simulator, golden_county: County) -> None:
    records = [map_incident(payload) for payload in client(simulator).iter_incidents()]
    assert sorted(r.case_no for r in records) == sorted(i.incident_no for i in golden_county.incidents)


def test_updated_since_fetches_only_later_changes(simulator: Simulator, golden_county: County) -> None:
    since = sorted(h.updated_at for h in golden_county.households)[len(golden_county.households) // 2]
    fetched = {p["hh_no"] for p in client(simulator).iter_households(updated_since=since)}
    assert fetched == {h.hh_no for h in golden_county.households if h.updated_at >= since}


def test_pages_are_fetched_lazily(simulator: Simulator) -> None:
    households = client(simulator, page_size=10).iter_households()
    first = next(households)
    assert map_household(first).hh_no == first["hh_no"]


def test_token_is_renewed_when_it_expires(simulator: Simulator) -> None:
    ps = client(simulator, page_size=100)
    households = ps.iter_households()
    for _ in range(100):
        next(households)  # the first page, under the first token
    simulator.clock.advance(simulator.settings.public_security_token_ttl_seconds + 1)
    rest = list(households)
    assert rest
    assert ps.token_fetches == 2


def test_token_the_server_no_longer_accepts_is_renewed_on_401(simulator: Simulator) -> None:
    # The client's own clock says the token is fresh; the server's says it expired.
    ps = client(simulator, page_size=100, shared_clock=False)
    households = ps.iter_households()
    next(households)
    simulator.clock.advance(simulator.settings.public_security_token_ttl_seconds + 1)
    assert len(list(households)) > 0
    assert ps.token_fetches == 2


def test_wrong_credentials_make_the_source_unavailable_with_department_and_url(simulator: Simulator) -> None:
    ps = PublicSecurityClient(simulator.url("public-security"), "hub", "wrong", timeout=5, retry=FAST_RETRY)
    with pytest.raises(SourceUnavailable) as caught:
        next(ps.iter_households())
    assert "public_security" in str(caught.value)
    assert "/public-security/oauth/token" in str(caught.value)
    assert "401" in str(caught.value)
