"""Fuzzy resolution in the warehouse: persons the loads kept apart are merged, once, and stay merged."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.db.engine import make_engine, session_factory
from hub.simulator.catalog import serve_county
from hub.simulator.model import County
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from hub.simulator.truth import fingerprint
from hub.warehouse.ingestion.models import RawRecord
from hub.warehouse.persons.models import Person, PersonMatch, PersonSource
from pipelines.runner import PipelineRunResult, run_all_assets
from tests.support.snapshot import warehouse_rows
from tests.support.warehouse import hub_settings


def ingest_noisy(county: County, database_url: str, var_dir: Path) -> PipelineRunResult:
    with running_simulator(county=county, settings=SimulatorSettings(noise="realistic")) as url:
        return run_all_assets(
            settings=hub_settings(database_url=database_url, var_dir=var_dir, simulator_url=url)
        )


@pytest.fixture
def noisy_warehouse(golden_county: County, database_url: str, tmp_path: Path) -> Iterator[str]:
    assert ingest_noisy(golden_county, database_url, tmp_path / "first").success
    yield database_url


def test_mentions_without_id_are_merged_into_the_person_they_are(noisy_warehouse: str) -> None:
    engine = make_engine(noisy_warehouse)
    with session_factory(engine)() as session:
        merged = session.scalars(select(Person).where(Person.merged_into_id.is_not(None))).all()
        matches = session.scalar(select(func.count()).select_from(PersonMatch))
        survivors = {
            p.id: p
            for p in session.scalars(select(Person).where(Person.id.in_([m.merged_into_id for m in merged])))
        }
    engine.dispose()

    assert merged, "realistic noise drops some ID numbers; resolution merges those mentions"
    assert matches and matches >= len(merged)
    for person in merged:
        survivor = survivors[person.merged_into_id]  # type: ignore[index]
        assert survivor.merged_into_id is None
        assert person.birth_date in (None, survivor.birth_date)


def test_second_noisy_run_changes_no_row(golden_county: County, noisy_warehouse: str, tmp_path: Path) -> None:
    before = warehouse_rows(noisy_warehouse)

    result = ingest_noisy(golden_county, noisy_warehouse, tmp_path / "second")

    assert result.success
    assert result.metadata["person_resolution"]["persons_merged"] == 0
    assert warehouse_rows(noisy_warehouse) == before


# Where each stream's served item lists its people, in the order the truth's `persons` lists them.
def people_in(stream: str, item: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(name, ID number) of each person the item lists, in order."""
    if stream == "households":
        return [(m.get("name"), m.get("id_no")) for m in item.get("members") or []]
    if stream == "incidents":
        return [(p.get("name"), p.get("id_no")) for p in item.get("parties") or []]
    if stream == "mediations":
        return [(p.get("name"), p.get("idCard")) for p in item.get("parties") or []]
    if stream == "corrections":
        return [(item.get("name"), item.get("idCard"))]
    if stream == "petitions":
        people = [item.get("petitioner") or {}, *(item.get("co_petitioners") or [])]
        return [(p.get("name"), p.get("id_no")) for p in people]
    if stream in ("benefits", "assistance"):
        return [(item.get("姓名"), item.get("身份证号"))]
    return []


def pairs(groups: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def test_resolution_precision_recall_and_f1_against_the_truth(
    noisy_warehouse: str, golden_county: County
) -> None:
    served = serve_county(golden_county, noise="realistic")
    truth = {
        fingerprint(listed.item): (stream, listed.item, listed.persons)
        for stream, listing in served.records.items()
        for listed in listing
    }
    engine = make_engine(noisy_warehouse)
    with engine.connect() as connection:
        record_truth: dict[tuple[str, str], dict[tuple[Any, Any], str]] = {}
        for system, record_id, payload in connection.execute(
            select(RawRecord.source_system, RawRecord.source_record_id, RawRecord.payload)
        ):
            found = truth.get(hashlib.sha256(payload.encode()).hexdigest())
            if found:
                stream, item, persons = found
                record_truth.setdefault((system, record_id), {}).update(
                    zip(people_in(stream, item), persons, strict=False)
                )
        mentions = connection.execute(
            select(
                PersonSource.source_system,
                PersonSource.source_record_id,
                PersonSource.name_as_sent,
                PersonSource.id_number_as_sent,
                PersonSource.person_id,
            )
        ).all()
    engine.dispose()

    both: Counter[tuple[str, int]] = Counter()
    by_truth: Counter[str] = Counter()
    by_person: Counter[int] = Counter()
    for system, record_id, name, id_number, person_id in mentions:
        key = record_truth.get((system, record_id), {}).get((name, id_number))
        if key is None:
            continue  # a mention the truth cannot name (a record both noised and duplicated)
        both[(key, person_id)] += 1
        by_truth[key] += 1
        by_person[person_id] += 1
    assert sum(both.values()) >= 0.95 * len(mentions), "almost every mention is traced to a true person"
    precision = pairs(both) / pairs(by_person)
    recall = pairs(both) / pairs(by_truth)
    f1 = 2 * precision * recall / (precision + recall)
    traced = sum(both.values())
    print(f"resolution on {traced} mentions: precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")

    assert precision >= 0.99 and recall >= 0.99 and f1 >= 0.99
