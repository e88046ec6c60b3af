"""Grid-registry items from the simulator's serializer map onto canonical master data."""

from __future__ import annotations

from typing import Any, cast

import pytest

from hub.errors import RecordRejected
from hub.simulator import County
from hub.simulator.departments import registry as served
from hub.sources.registry.mapping import map_address, map_division, map_grid, map_grid_worker
from hub.sources.registry.records import AddressPayload, DivisionPayload, GridPayload, GridWorkerPayload


def test_every_registry_item_maps(golden_county: County) -> None:
    divisions = [map_division(cast(DivisionPayload, r.item)) for r in served.division_records(golden_county)]
    grids = [map_grid(cast(GridPayload, r.item)) for r in served.grid_records(golden_county)]
    workers = [
        map_grid_worker(cast(GridWorkerPayload, r.item)) for r in served.grid_worker_records(golden_county)
    ]
    addresses = [map_address(cast(AddressPayload, r.item)) for r in served.address_records(golden_county)]
    assert {d.code for d in divisions} == {d.code for d in golden_county.divisions}
    assert {g.code for g in grids} == {g.code for g in golden_county.grids}
    assert {w.worker_no for w in workers} == {w.worker_id for w in golden_county.grid_workers}
    assert len(addresses) == len(golden_county.households)
    micro = [g for g in grids if g.level == "micro"]
    assert micro and all(g.parent_code is not None and g.code.startswith(g.parent_code) for g in micro)


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("code", "33012200100", "code.bad_code"),
        ("level", "nano", "level.unknown_code"),
        ("division_code", "330122999999", "code.outside_division"),
        ("parent_code", None, "parent_code.missing"),
    ],
)
def test_micro_grid_with_bad_field_is_rejected(
    golden_county: County, field: str, value: Any, rule: str
) -> None:
    micro = next(r.item for r in served.grid_records(golden_county) if r.item["level"] == "micro")
    payload = dict(micro)
    payload[field] = value
    with pytest.raises(RecordRejected) as caught:
        map_grid(cast(GridPayload, payload))
    assert caught.value.rule == rule


def test_division_with_grid_level_is_rejected(golden_county: County) -> None:
    payload = dict(served.division_records(golden_county)[-1].item)
    payload["level"] = "grid"
    with pytest.raises(RecordRejected) as caught:
        map_division(cast(DivisionPayload, payload))
    assert caught.value.rule == "level.unknown_code"
