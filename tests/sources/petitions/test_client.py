"""The petitions client against the real simulator: token header, JSON Lines feed, since tokens, 429."""

from __future__ import annotations

from collections import Counter

import pytest

from hub.errors import SourceUnavailable
from hub.simulator import County, SimulatorSettings
from hub.simulator.server import running_simulator
from hub.sources.petitions.client import PetitionsClient
from hub.sources.petitions.mapping import map_petition
from tests.sources.conftest import FAST_RETRY, Simulator


def client(base_url: str, token: str, *, batch_size: int = 500) -> PetitionsClient:
    return PetitionsClient(
        f"{base_url}/petitions", token, timeout=10, batch_size=batch_size, retry=FAST_RETRY
    )


def all_versions(county: County) -> Counter[tuple[str, str]]:
    return Counter(
        (petition.petition_no, version.status)
        for petition in county.petitions
        for version in petition.versions
    )


def test_every_petition_version_is_fetched_exactly_once(simulator: Simulator, golden_county: County) -> None:
    feed = client(simulator.base_url, simulator.settings.petitions_token, batch_size=40)
    fetched = Counter((p["petition_no"], p["status"]) for p in feed.iter_petitions())
    assert fetched == all_versions(golden_county)
    assert all(map_petition(p) for p in feed.iter_petitions())


def test_resuming_from_a_stored_cursor_fetches_only_what_came_after(simulator: Simulator) -> None:
    feed = client(simulator.base_url, simulator.settings.petitions_token, batch_size=50)
    batches = list(feed.iter_feed())
    assert len(batches) > 2
    cursor = batches[1].next_since
    rest = [item for batch in feed.iter_feed(since=cursor) for item in batch.items]
    assert rest == [item for batch in batches[2:] for item in batch.items]
    caught_up = list(feed.iter_feed(since=batches[-1].next_since))
    assert caught_up == []


def test_rate_limited_feed_is_read_completely_after_retry_after(golden_county: County) -> None:
    settings = SimulatorSettings(petitions_requests_per_second=3)
    with running_simulator(county=golden_county, settings=settings) as base_url:
        feed = client(base_url, settings.petitions_token, batch_size=50)
        fetched = Counter((p["petition_no"], p["status"]) for p in feed.iter_petitions())
    assert fetched == all_versions(golden_county)


def test_wrong_token_makes_the_source_unavailable(simulator: Simulator) -> None:
    with pytest.raises(SourceUnavailable, match=r"petitions.*feed.*401"):
        next(client(simulator.base_url, "wrong").iter_petitions())
