"""The two stages, batch by batch, atomically: a run killed in either resumes without loss or duplicates."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, event

from hub.errors import SourceUnavailable
from hub.simulator.departments.public_security import household_records
from hub.simulator.departments.registry import division_records, grid_records
from hub.simulator.model import County
from hub.warehouse.households.loading import load_households
from hub.warehouse.provenance import LoadRun
from pipelines import ingest as ingest_module
from pipelines.assets.public_security import HOUSEHOLDS
from pipelines.assets.registry import DIVISIONS, GRIDS
from pipelines.ingest import ingest, publish, stage
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

    assert committed["households"] == []  # nothing is published before the whole read is staged
    assert resumed.reconciles and resumed.stage.unchanged == 200  # two whole batches; the third died
    # The two batches staged by the killed run wait in staging and are published with the rest.
    assert resumed.publish.published == len(payloads) and resumed.publish.carried_over == 200
    households = warehouse_rows(database_url)["households"]  # rows of (id, hh_no, …)
    assert sorted(row[1] for row in households) == sorted(h.hh_no for h in golden_county.households)


def test_a_run_killed_while_publishing_leaves_the_rest_staged_for_the_next(
    golden_county: County, engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "BATCH_SIZE", 100)
    payloads = served_households(golden_county)
    staged = stage(engine=engine, run=LoadRun("killed"), stream=HOUSEHOLDS, payloads=payloads)
    loads = 0

    def dies_on_the_third_batch(**kwargs: Any) -> Any:
        nonlocal loads
        loads += 1
        if loads == 3:
            raise SourceUnavailable("the warehouse went away (the run is killed here)")
        return load_households(**kwargs)

    killed = replace(HOUSEHOLDS, load=dies_on_the_third_batch)
    with pytest.raises(SourceUnavailable):
        publish(engine=engine, run=LoadRun("killed"), stream=killed)
    published_before = len(warehouse_rows(database_url)["households"])
    resumed = ingest(engine=engine, run=LoadRun("resumed"), stream=HOUSEHOLDS, payloads=iter(payloads))

    # Batches publish two at a time on PostgreSQL: the one beside the third may have committed.
    assert staged.staged == len(payloads) and published_before in {200, 300}
    assert resumed.stage.unchanged == len(payloads) and resumed.stage.staged == 0
    assert resumed.publish.published == resumed.publish.carried_over == len(payloads) - published_before
    households = warehouse_rows(database_url)["households"]
    assert sorted(row[1] for row in households) == sorted(h.hh_no for h in golden_county.households)


def test_a_read_replaces_the_versions_an_unpublished_read_left_pending(
    golden_county: County, engine: Engine
) -> None:
    payloads = served_households(golden_county)
    stage(engine=engine, run=LoadRun("never published"), stream=HOUSEHOLDS, payloads=payloads)
    moved = [{**payloads[0], "address": payloads[0]["address"] + "（新址）"}, *payloads[1:]]

    again = stage(engine=engine, run=LoadRun("next"), stream=HOUSEHOLDS, payloads=moved)
    published = publish(engine=engine, run=LoadRun("next"), stream=HOUSEHOLDS)

    assert again.landed == again.staged == again.replaced == 1
    assert published.taken == published.published == len(payloads)
    assert published.carried_over == len(payloads) - 1


def test_a_first_landing_does_not_look_up_what_was_landed_and_a_later_one_does(
    golden_county: County, engine: Engine
) -> None:
    payloads = served_households(golden_county)
    look_ups: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("SELECT raw_records.source_record_id"):
            look_ups.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    first = stage(engine=engine, run=LoadRun("first"), stream=HOUSEHOLDS, payloads=payloads)
    looked_up_first = len(look_ups)
    again = stage(engine=engine, run=LoadRun("again"), stream=HOUSEHOLDS, payloads=payloads)
    event.remove(engine, "before_cursor_execute", count)

    assert looked_up_first == 0 and len(look_ups) > 0
    assert first.landed == first.staged + first.quarantined == len(payloads) and first.reconciles
    assert again.landed == again.staged == 0 and again.unchanged == len(payloads)


def test_a_hierarchy_publishes_its_batches_in_order_and_other_streams_two_at_a_time(
    golden_county: County, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Grids name their parent grids, staged before them; small batches put parents in earlier ones.
    monkeypatch.setattr(ingest_module, "BATCH_SIZE", 10)
    run = LoadRun("hierarchy")
    ingest(
        engine=engine, run=run, stream=DIVISIONS, payloads=[r.item for r in division_records(golden_county)]
    )
    grids = [r.item for r in grid_records(golden_county)]
    threads: set[str] = set()

    def noting_the_thread(**kwargs: Any) -> Any:
        threads.add(threading.current_thread().name)
        return load_households(**kwargs)

    published = ingest(engine=engine, run=run, stream=GRIDS, payloads=grids).publish
    ingest(
        engine=engine,
        run=run,
        stream=replace(HOUSEHOLDS, load=noting_the_thread),
        payloads=served_households(golden_county),
    )

    assert published.published == len(grids) and published.quarantined == 0
    assert len(threads) == (2 if engine.dialect.name == "postgresql" else 1)
