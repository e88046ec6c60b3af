"""`ingest`: batch by batch, atomically, so a run killed mid-way resumes without loss or duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from hub.errors import SourceUnavailable
from hub.simulator.departments.public_security import household_records
from hub.simulator.model import County
from hub.warehouse.provenance import LoadRun
from pipelines import ingest as ingest_module
from pipelines.assets.public_security import HOUSEHOLDS
from pipelines.ingest import ingest
from tests.support.snapshot import warehouse_rows


def served_households(county: County) -> list[dict[str, Any]]:
    """Households exactly as public security serves them (clean profile)."""
    return [dict(listed.item) for listed in household_records(county)]


def killed_after(payloads: list[dict[str, Any]], count: int) -> Iterator[dict[str, Any]]:
    """The department's answers, until the connection dies after `count` records."""
    yield from payloads[:count]
    raise SourceUnavailable("public_security: connection reset (the run is killed here)")


def test_a_killed_run_resumes_without_loss_or_duplicates(
    golden_county: County, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "BATCH_SIZE", 100)
    payloads = served_households(golden_county)

    with pytest.raises(SourceUnavailable):
        ingest(engine=engine, run=LoadRun("killed"), stream=HOUSEHOLDS, payloads=killed_after(payloads, 250))
    committed = warehouse_rows(database_url)
    resumed = ingest(engine=engine, run=LoadRun("resumed"), stream=HOUSEHOLDS, payloads=iter(payloads))

    assert len(committed["households"]) == 200  # two whole batches; the third died with the run
    assert resumed.reconciles and resumed.unchanged == 200
    assert resumed.published == len(payloads) - 200
    households = warehouse_rows(database_url)["households"]  # rows of (id, hh_no, …)
    assert sorted(row[1] for row in households) == sorted(h.hh_no for h in golden_county.households)
