"""The staging suites: one per `stg_*` table, silent on empty staging and on the clean county as the
real stage step stages it, and each defect they exist for found by its own rule (both backends).

A row-level staging rule failing sends its record to quarantine for good, so these rules may be no
stricter than the truth: what the clean county sends must pass all of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from hub.db.engine import transaction
from hub.quality.runner import SuiteOutcome, run_suites
from hub.quality.suites import load_suites, suite_parameters
from hub.simulator.model import County
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from hub.sources.canonical import (
    AddressGridRecord,
    CaseRecord,
    DivisionRecord,
    GridRecord,
    GridWorkerRecord,
    HouseholdRatingRecord,
    HouseholdRecord,
    MoralPointRecord,
    TagRecord,
)
from hub.warehouse import models
from hub.warehouse.provenance import LoadRun
from hub.warehouse.staging.service import discard, pending, stage_records
from hub.warehouse.staging.tables import layout_of
from pipelines.streams import STREAMS
from tests.support.staging import stage_county

STAGING_SUITES = load_suites(layer="staging")
SUITES = {suite.table: suite for suite in STAGING_SUITES}
STAGING_TABLES = {name for name in models.metadata.tables if name.startswith("stg_")}
# Structural breakage only: a schema that is not what the suites read, or a record pending twice.
BATCH_RULES = {"columns_present", "pending_unique"}


# --- the files ------------------------------------------------------------------------------------


def test_every_staging_table_has_exactly_one_staging_suite() -> None:
    tables = [suite.table for suite in STAGING_SUITES]
    assert sorted(tables) == sorted(STAGING_TABLES)
    assert len(tables) == len(set(tables))


def test_great_expectations_accepts_every_staging_expectation() -> None:
    import great_expectations as gx

    for suite in STAGING_SUITES:
        gx_suite = gx.ExpectationSuite(
            name=suite.name, expectations=[dict(e) for e in suite.document["expectations"]]
        )
        assert len(gx_suite.expectations) == len(suite.rules), suite.path.name


def test_a_failing_child_row_names_its_parent_record() -> None:
    for suite in STAGING_SUITES:
        columns = models.metadata.tables[suite.table].columns
        assert suite.row_id == ("staging_id" if "staging_id" in columns else "id"), suite.table


def test_rules_read_only_columns_the_staging_table_has() -> None:
    for suite in STAGING_SUITES:
        columns = set(models.metadata.tables[suite.table].columns.keys())
        for rule in suite.rules:
            named = set(rule.kwargs.get("column_set") or []) | {
                str(rule.kwargs[key]) for key in ("column", "column_A", "column_B") if key in rule.kwargs
            }
            assert named <= columns, (rule.rule, named - columns)


def test_every_rule_is_named_levelled_and_explained() -> None:
    for suite in STAGING_SUITES:
        assert suite.path.name == f"{suite.table}.json" and suite.name == suite.table
        for rule in suite.rules:
            assert rule.rule.startswith(f"{suite.table}."), rule.rule
            assert len(rule.reason) > 15, rule.rule
            if rule.level == "batch":
                assert rule.rule.removeprefix(f"{suite.table}.") in BATCH_RULES, rule.rule


def test_every_parent_table_refuses_a_record_pending_twice() -> None:
    for suite in STAGING_SUITES:
        if suite.row_id == "id":
            assert suite.rule(f"{suite.table}.pending_unique").level == "batch"


def test_no_rule_asks_for_rows_since_staging_is_empty_on_most_runs() -> None:
    types = {rule.type for suite in STAGING_SUITES for rule in suite.rules}
    assert not {t for t in types if t.startswith("expect_table_row_count")}


def test_code_lists_come_from_the_reference_tables() -> None:
    names = {name for suite in STAGING_SUITES for name in suite.parameters}
    values = suite_parameters(names, today=dt.date(2026, 11, 26))
    assert {"ref__sex__code", "ref__ethnicity__code", "ref__family_relation__code"} <= names
    assert (
        "petitioner" in values["ref__party_roles__role"]
        and "letter" in values["ref__petition_channels__code"]
    )


# --- running them ---------------------------------------------------------------------------------


def failures(outcomes: Sequence[SuiteOutcome]) -> dict[str, set[str]]:
    """Every failing rule, with the staging ids it holds back (or, for a rule that raised, why)."""
    return {
        o.rule.rule: set(o.failing_row_ids) or {f"raised: {o.exception}"}
        for suite in outcomes
        for o in suite.outcomes
        if not o.success
    }


@pytest.fixture
def staged_county(engine: Engine, golden_county: County) -> Iterator[Engine]:
    """The migrated database of the test, holding the clean golden county as the stage step left it."""
    with running_simulator(county=golden_county, settings=SimulatorSettings()) as base_url:
        reports = stage_county(engine=engine, base_url=base_url, run=LoadRun("t"))
    assert all(r.reconciles and r.quarantined == 0 for r in reports.values()), reports
    assert sorted(reports) == sorted(stream.key for stream in STREAMS.values())
    yield engine


def test_every_staging_suite_passes_on_empty_staging_tables(engine: Engine) -> None:
    outcomes = run_suites(engine=engine, suites=STAGING_SUITES)

    assert failures(outcomes) == {}
    assert [(s.suite.table, s.row_count, s.success, s.structurally_broken) for s in outcomes] == [
        (suite.table, 0, True, False) for suite in STAGING_SUITES
    ]


def test_the_clean_golden_county_as_staged_fails_no_staging_rule(staged_county: Engine) -> None:
    outcomes = run_suites(engine=staged_county, suites=STAGING_SUITES)

    assert failures(outcomes) == {}
    assert not any(s.structurally_broken for s in outcomes)
    staged = {s.suite.table: s.row_count for s in outcomes}
    assert all(staged[table] > 0 for table in STAGING_TABLES), staged  # every rule ran on rows


# --- defects --------------------------------------------------------------------------------------


def _pending(engine: Engine, record_type: type, stream: str, source_system: str) -> list[Any]:
    with transaction(engine) as session:
        layout = layout_of(record_type)
        found = pending(
            session=session, layout=layout, source_system=source_system, stream=stream, limit=100_000
        )
    return [staged.record for staged in found]


def _restage(engine: Engine, stream: str, record: Any) -> str:
    """Stage a new version of `record` (replacing the pending one) and return its staging id."""
    layout = layout_of(type(record))
    with transaction(engine) as session:
        stage_records(
            session=session, layout=layout, stream=stream, items=[("defect", record)], run=LoadRun("t")
        )
        table = layout.table
        staging_id = session.scalars(
            select(table.c.id).where(
                table.c.stream == stream,
                table.c.source_system == record.source.department.value,
                table.c.source_record_id == record.source.record_id,
            )
        ).one()
    return str(staging_id)


@dataclass(frozen=True)
class Defect:
    """A defect a staging rule exists for, made by changing one record of the clean county."""

    rule: str
    record_type: type
    stream: str
    source_system: str
    applies: Callable[[Any], bool]
    change: Callable[[Any], Any]


def _member(household: HouseholdRecord, index: int, **person: Any) -> HouseholdRecord:
    member = household.members[index]
    members = list(household.members)
    members[index] = dataclasses.replace(member, person=dataclasses.replace(member.person, **person))
    return dataclasses.replace(household, members=tuple(members))


def _wrong_check_character(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def _day_before_opening(case: CaseRecord) -> dt.date:
    # The opening day in UTC is never later than in China Standard Time: a day before both.
    return case.opened_at.astimezone(dt.UTC).date() - dt.timedelta(days=1)


def _first_party_role(case: CaseRecord, role: str) -> CaseRecord:
    parties = (dataclasses.replace(case.parties[0], role=role), *case.parties[1:])
    return dataclasses.replace(case, parties=parties)


def _events_in_reverse_lifecycle(case: CaseRecord) -> CaseRecord:
    first, second = case.events[0], case.events[1]  # received at opening, resolved later
    events = (
        dataclasses.replace(first, status=second.status),
        dataclasses.replace(second, status=first.status),
    )
    return dataclasses.replace(case, events=events)


DEFECTS = (
    Defect(
        "stg_cases.closed_after_opened", CaseRecord, "incidents", "public_security",
        lambda c: c.closed_at is not None,
        lambda c: dataclasses.replace(c, closed_at=c.opened_at - dt.timedelta(days=1)),
    ),
    Defect(
        "stg_cases.deadline_after_opened", CaseRecord, "petitions", "petitions",
        lambda c: c.deadline is not None,
        lambda c: dataclasses.replace(c, deadline=_day_before_opening(c)),
    ),
    Defect(
        "stg_case_events.lifecycle_ordered", CaseRecord, "mediation_cases", "justice",
        lambda c: [e.status.value for e in c.events][:2] == ["received", "resolved"],
        _events_in_reverse_lifecycle,
    ),
    Defect(
        "stg_case_parties.role_known", CaseRecord, "assistance", "civil_affairs",
        lambda c: bool(c.parties),
        lambda c: _first_party_role(c, "judge"),
    ),
    Defect(
        "stg_case_links.not_self", CaseRecord, "mediation_cases", "justice",
        lambda c: len(c.links) == 1,
        lambda c: dataclasses.replace(c, links=(dataclasses.replace(c.links[0], target_case_no=c.case_no),)),
    ),
    Defect(
        "stg_household_members.person_id_number_checksum", HouseholdRecord, "households", "public_security",
        lambda h: h.members[0].person.id_number is not None,
        lambda h: _member(h, 0, id_number=_wrong_check_character(h.members[0].person.id_number)),
    ),
    Defect(
        "stg_household_members.person_sex_known", HouseholdRecord, "households", "public_security",
        lambda h: len(h.members) > 1,
        lambda h: _member(h, 1, sex="5"),
    ),
    Defect(
        "stg_households.division_exists", HouseholdRecord, "households", "public_security",
        lambda h: True,
        lambda h: dataclasses.replace(h, division_code="330122999999"),
    ),
    Defect(
        "stg_person_tags.period_ordered", TagRecord, "benefits", "civil_affairs",
        lambda t: t.valid_from is not None,
        lambda t: dataclasses.replace(t, valid_to=t.valid_from - dt.timedelta(days=1)),
    ),
    Defect(
        "stg_household_ratings.stars_in_range", HouseholdRatingRecord, "household_ratings", "civil_affairs",
        lambda r: True,
        lambda r: dataclasses.replace(r, stars=11),
    ),
    Defect(
        "stg_moral_point_entries.balance_not_negative", MoralPointRecord, "moral_points", "civil_affairs",
        lambda m: True,
        lambda m: dataclasses.replace(m, balance=-5),
    ),
    Defect(
        "stg_grid_addresses.grid_exists", AddressGridRecord, "addresses", "registry",
        lambda a: True,
        lambda a: dataclasses.replace(a, grid_code="33012299999999901"),
    ),
)  # fmt: skip


def test_each_defect_is_held_back_by_its_own_rule_and_nothing_else(staged_county: Engine) -> None:
    expected: dict[str, set[str]] = {}
    taken: set[tuple[str, str]] = set()
    for defect in DEFECTS:
        candidates = _pending(staged_county, defect.record_type, defect.stream, defect.source_system)
        record = next(
            r for r in candidates if defect.applies(r) and (defect.stream, r.source.record_id) not in taken
        )
        taken.add((defect.stream, record.source.record_id))
        expected.setdefault(defect.rule, set()).add(
            _restage(staged_county, defect.stream, defect.change(record))
        )

    outcomes = run_suites(engine=staged_county, suites=STAGING_SUITES)

    assert failures(outcomes) == expected
    # A few bad records among many are held back one by one; no table is broken by them.
    assert not any(s.structurally_broken for s in outcomes)


def test_a_referenced_code_may_be_published_already_or_pending_in_the_same_run(
    staged_county: Engine,
) -> None:
    run = LoadRun("t")
    for record_type, stream in ((DivisionRecord, "divisions"), (GridRecord, "grids")):
        layout = layout_of(record_type)
        with transaction(staged_county) as session:
            staged = pending(
                session=session, layout=layout, source_system="registry", stream=stream, limit=100_000
            )
            STREAMS[("registry", stream)].load(session=session, records=[s.record for s in staged], run=run)
            discard(session=session, layout=layout, staging_ids=[s.staging_id for s in staged])
    worker = _pending(staged_county, GridWorkerRecord, "grid_workers", "registry")[0]
    nowhere = _restage(
        staged_county, "grid_workers", dataclasses.replace(worker, grid_code="330122999999999")
    )

    outcomes = run_suites(engine=staged_county, suites=STAGING_SUITES)

    # Households, cases, workers and address rules find their villages and grids in the core
    # tables now; a grid in neither the core tables nor staging is a defect.
    assert {s.suite.table: s.row_count for s in outcomes}["stg_divisions"] == 0
    assert failures(outcomes) == {"stg_grid_workers.grid_exists": {nowhere}}


def test_a_record_pending_twice_means_the_stage_step_is_broken(staged_county: Engine) -> None:
    table = layout_of(HouseholdRecord).table
    copied = [column for column in table.columns if column.name != "id"]
    with transaction(staged_county) as session:
        # `stage_records` never leaves a record pending twice; a broken stage step would.
        first = session.scalar(select(func.min(table.c.id)))
        session.execute(insert(table).from_select(copied, select(*copied).where(table.c.id == first)))

    outcome = {s.suite.table: s for s in run_suites(engine=staged_county, suites=[SUITES["stg_households"]])}

    households = outcome["stg_households"]
    # The copy has no members of its own either; what matters is the pair pending twice.
    assert len(failures([households])["stg_households.pending_unique"]) == 2
    assert households.structurally_broken
