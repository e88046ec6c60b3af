"""The registry client against the real simulator: offset pages with totals, no auth."""

from __future__ import annotations

from collections import Counter

from hub.simulator import County
from hub.sources.registry.client import RegistryClient
from hub.sources.registry.mapping import map_address, map_division, map_grid, map_grid_worker
from tests.sources.conftest import FAST_RETRY, Simulator


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
