from __future__ import annotations

from typing import Any

import pytest
import requests

from hub.simulator import County


def _walk(http: requests.Session, url: str, limit: int, **params: str) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    while True:
        query: dict[str, str | int] = {"offset": len(items), "limit": limit, **params}
        body = http.get(url, params=query).json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items, body["total"]


@pytest.mark.parametrize(
    ("path", "key", "truth"),
    [
        ("divisions", "code", lambda county: sorted(d.code for d in county.divisions)),
        ("grids", "code", lambda county: sorted(g.code for g in county.grids)),
        ("grid-workers", "worker_id", lambda county: [w.worker_id for w in county.grid_workers]),
        ("addresses", "address", lambda county: [h.address for h in county.households]),
    ],
)
def test_offset_walk_covers_each_list_once_with_total(
    http: requests.Session, simulator_url: str, golden_county: County, path: str, key: str, truth: Any
) -> None:
    items, total = _walk(http, f"{simulator_url}/registry/{path}", limit=7)
    assert total == len(items)
    assert [item[key] for item in items] == truth(golden_county)


def test_addresses_map_to_micro_grids(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    items, _ = _walk(http, f"{simulator_url}/registry/addresses", limit=1000)
    assert all(
        len(item["grid_code"]) == 17 and item["grid_code"] in golden_county.grids_by_code for item in items
    )


def test_divisions_carry_the_contract_fields(http: requests.Session, simulator_url: str) -> None:
    items, _ = _walk(http, f"{simulator_url}/registry/divisions", limit=1000)
    assert items[0] == {"code": "330000000000", "name": "浙江省", "level": "province", "parent_code": None}
    assert {item["level"] for item in items} == {"province", "city", "county", "township", "village"}


def test_updated_since_keeps_entries_changed_at_or_after(http: requests.Session, simulator_url: str) -> None:
    everything, _ = _walk(http, f"{simulator_url}/registry/grids", limit=1000)
    recent, _ = _walk(
        http, f"{simulator_url}/registry/grids", limit=1000, updated_since="2025-06-01T00:00:00+08:00"
    )
    assert 0 < len(recent) < len(everything)


def test_limit_above_1000_is_rejected(http: requests.Session, simulator_url: str) -> None:
    assert http.get(f"{simulator_url}/registry/grids", params={"limit": 1001}).status_code == 400
