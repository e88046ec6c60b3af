"""The registry client against the real simulator: offset pages with totals, no auth."""

from __future__ import annotations

from collections import Counter

from hub.simulator import County
from hub.simulator.server import running_simulator
from hub.simulator.timeline import advance_county
from hub.sources.registry.client import RegistryClient
from hub.sources.registry.mapping import map_address, map_division, map_grid, map_grid_worker
from hub.sources.registry.records import address_id
from pipelines.assets.registry import RESUME_OVERLAP
from tests.sources.conftest import FAST_RETRY, Simulator

DAYS = 90  # the golden county moves three households in 90 days, none in a week


def client(simulator: Simulator, page_size: int = 1000) -> RegistryClient:
    return RegistryClient(simulator.url("registry"), timeout=10, page_size=page_size, retry=FAST_RETRY)


def test_every_registry_list_is_fetched_exactly_once(simulator: Simulator, golden_county: County) -> None:
    registry = client(simulator, page_size=9)
    assert Counter(map_division(p).code for p in registry.iter_divisions()) == Counter(
        d.code for d in golden_county.divisions
    )
    assert Counter(map_grid(p).code for p in registry.iter_grids()) == Counter(
        g.code for g in golden_county.grids
    )
    assert Counter(map_grid_worker(p).worker_no for p in registry.iter_grid_workers()) == Counter(
        w.worker_id for w in golden_county.grid_workers
    )
    assert len([map_address(p) for p in client(simulator).iter_addresses()]) == len(golden_county.households)


def test_a_read_since_the_registrys_clock_at_the_last_read_misses_no_change(golden_county: County) -> None:
    """The registry's entries carry no change time: a reader resumes from the registry's own clock
    (`started_at`, its `Date`), and after days pass reads every entry that changed, and few others."""
    later = advance_county(golden_county, days=DAYS)
    with running_simulator(county=golden_county) as before_url, running_simulator(county=later) as after_url:
        first = RegistryClient(f"{before_url}/registry", retry=FAST_RETRY).iter_addresses()
        before = {address_id(p): p for p in first}
        whole = RegistryClient(f"{after_url}/registry", retry=FAST_RETRY)
        after = {address_id(p): p for p in whole.iter_addresses()}
        assert first.started_at is not None
        since = first.started_at - RESUME_OVERLAP
        changed = [p for p in whole.iter_addresses(updated_since=since)]

    assert first.started_at == golden_county.now.replace(microsecond=0)
    moved = {key for key, payload in after.items() if before.get(key) != payload}
    assert moved, f"no address changed in {DAYS} days: nothing to check"
    assert moved <= {address_id(p) for p in changed}
    assert len(changed) < len(after) / 2
