"""Staging: every stream's records wait typed in `stg_*`, exactly as mapped, until published or held back."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from sqlalchemy import Engine, func, select

from hub.db.engine import transaction
from hub.quality.staging import check_staged
from hub.simulator.departments.public_security import household_records
from hub.simulator.model import County
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from hub.sources.canonical import HouseholdRecord
from hub.warehouse.households.models import Household
from hub.warehouse.ingestion.models import QuarantinedRecord, RawRecord
from hub.warehouse.provenance import LoadRun
from hub.warehouse.staging.service import StagedRecord, count_pending, pending, stage_records
from hub.warehouse.staging.tables import LAYOUTS
from pipelines.assets.public_security import HOUSEHOLDS
from pipelines.ingest import publish
from pipelines.streams import STREAMS
from tests.support.staging import stage_county

RUN = LoadRun("staging-test")


def household_record(county: County) -> HouseholdRecord:
    """A household of the golden county as public security's mapping makes it."""
    return HOUSEHOLDS.map_record(dict(household_records(county)[0].item))


def all_pending(engine: Engine, key: tuple[str, str]) -> list[StagedRecord]:
    stream = STREAMS[key]
    with transaction(engine) as session:
        return pending(
            session=session, layout=stream.layout, source_system=key[0], stream=key[1], limit=1_000_000
        )


def landed_payloads(engine: Engine, key: tuple[str, str]) -> dict[tuple[str, str], Any]:
    """Each landed version's payload by (record id, hash)."""
    with transaction(engine) as session:
        rows = session.execute(
            select(RawRecord.source_record_id, RawRecord.payload_hash, RawRecord.payload).where(
                RawRecord.source_system == key[0], RawRecord.stream == key[1]
            )
        )
        return {(record_id, digest): orjson.loads(payload) for record_id, digest, payload in rows}


def test_every_stream_stages_into_the_table_of_its_record_type() -> None:
    layouts = {stream.layout for stream in STREAMS.values()}

    assert layouts == set(LAYOUTS.values())
    assert {layout.table.name for layout in layouts} == {
        "stg_divisions", "stg_grids", "stg_grid_workers", "stg_grid_addresses", "stg_households",
        "stg_person_tags", "stg_household_ratings", "stg_moral_point_entries", "stg_cases",
    }  # fmt: skip
    households = LAYOUTS[HouseholdRecord]
    assert households.children["members"].table.name == "stg_household_members"
    assert {"person_id_number", "person_birth_date", "relation"} <= set(
        households.children["members"].table.c.keys()
    )


def test_staged_records_are_exactly_what_the_mapping_made_of_the_landed_payloads(
    golden_county: County, engine: Engine
) -> None:
    settings = SimulatorSettings(noise="realistic")
    with running_simulator(county=golden_county, settings=settings) as url:
        reports = stage_county(engine=engine, base_url=url, run=LoadRun("staged"), settings=settings)

    assert all(report.reconciles for report in reports.values()), reports
    for key, stream in STREAMS.items():
        staged = all_pending(engine, key)
        payloads = landed_payloads(engine, key)
        assert len(staged) == reports[stream.key].staged, key
        for record in staged:
            payload = payloads[(record.source_record_id, record.payload_hash)]
            assert record.record == stream.map_record(payload), (key, record.source_record_id)


def test_a_newer_version_replaces_the_one_still_pending(golden_county: County, engine: Engine) -> None:
    first = household_record(golden_county)
    moved = dataclasses.replace(first, address=first.address + "（新址）")
    layout = HOUSEHOLDS.layout

    with transaction(engine) as session:
        stage_records(session=session, layout=layout, stream="households", items=[("v1", first)], run=RUN)
    with transaction(engine) as session:
        replaced = stage_records(
            session=session, layout=layout, stream="households", items=[("v2", moved)], run=RUN
        )

    staged = all_pending(engine, ("public_security", "households"))
    assert replaced == 1
    assert [(s.payload_hash, s.record) for s in staged] == [("v2", moved)]
    # The replaced version's members went with it: only the pending version's are left.
    assert child_rows(engine, "members") == len(moved.members)


def test_publishing_leaves_no_staged_row_behind_children_included(
    golden_county: County, engine: Engine
) -> None:
    record = household_record(golden_county)
    with transaction(engine) as session:
        stage_records(
            session=session, layout=HOUSEHOLDS.layout, stream="households", items=[("v1", record)], run=RUN
        )
    assert child_rows(engine, "members") == len(record.members) > 0

    report = publish(engine=engine, run=RUN, stream=HOUSEHOLDS)

    assert report.published == 1
    assert all_pending(engine, ("public_security", "households")) == []
    assert child_rows(engine, "members") == 0


def child_rows(engine: Engine, field: str) -> int:
    table = HOUSEHOLDS.layout.children[field].table
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_records_a_staging_rule_fails_are_quarantined_and_never_published(
    golden_county: County, engine: Engine
) -> None:
    key = ("public_security", "households")
    with running_simulator(county=golden_county) as url:
        stage_county(engine=engine, base_url=url, run=RUN)
    staged = all_pending(engine, key)
    victim = staged[0].record
    broken = with_head_sex(victim, "7")  # not a GB/T 2261.1 code
    with transaction(engine) as session:
        stage_records(
            session=session,
            layout=HOUSEHOLDS.layout,
            stream="households",
            items=[(staged[0].payload_hash, broken)],
            run=RUN,
        )

    gate = check_staged(engine=engine, run_id="gate")
    report = publish(engine=engine, run=LoadRun("gate"), stream=HOUSEHOLDS)

    assert gate.held_back == {"public_security.households": 1} and not gate.broken_tables
    with transaction(engine) as session:
        held = session.execute(
            select(QuarantinedRecord.source_record_id, QuarantinedRecord.rule, QuarantinedRecord.payload)
        ).all()
        published = set(session.scalars(select(Household.hh_no)))
        left = count_pending(session=session, layout=HOUSEHOLDS.layout, source_system=key[0], stream=key[1])
    assert [(record_id, rule) for record_id, rule, _ in held] == [
        (victim.source.record_id, "stg_household_members.person_sex_known")
    ]
    assert held[0][2] is not None  # the payload as landed, for whoever fixes it at the source
    assert victim.hh_no not in published and len(published) == len(golden_county.households) - 1
    assert report.published == len(staged) - 1 and left == 0


def test_a_structurally_broken_staging_table_holds_every_record_back(
    golden_county: County, engine: Engine
) -> None:
    with running_simulator(county=golden_county) as url:
        stage_county(engine=engine, base_url=url, run=RUN)
    staged = all_pending(engine, ("public_security", "households"))
    # A tenth of the households with an unknown sex code: not a few bad records, a broken feed.
    broken = [(s.payload_hash, with_head_sex(s.record, "7")) for s in staged[: len(staged) // 10]]
    with transaction(engine) as session:
        stage_records(session=session, layout=HOUSEHOLDS.layout, stream="households", items=broken, run=RUN)

    gate = check_staged(engine=engine, run_id="gate")

    assert gate.broken_tables == ("stg_household_members",) and gate.held_back == {}
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(QuarantinedRecord)) == 0
    assert len(all_pending(engine, ("public_security", "households"))) == len(staged)


def test_a_record_staged_twice_in_one_batch_is_pending_once_in_its_last_version(
    golden_county: County, engine: Engine
) -> None:
    first = household_record(golden_county)
    moved = dataclasses.replace(first, address=first.address + "（新址）")
    with transaction(engine) as session:
        replaced = stage_records(
            session=session,
            layout=HOUSEHOLDS.layout,
            stream="households",
            items=[("v1", first), ("v2", moved)],
            run=RUN,
        )

    assert replaced == 1
    staged = all_pending(engine, ("public_security", "households"))
    assert [(s.payload_hash, s.record) for s in staged] == [("v2", moved)]


def with_head_sex(household: HouseholdRecord, sex: str) -> HouseholdRecord:
    head, *others = household.members
    person = dataclasses.replace(head.person, sex=sex)
    return dataclasses.replace(household, members=(dataclasses.replace(head, person=person), *others))
