"""A core run that checks only what changed finds exactly what a whole run finds, on both backends."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import Engine, bindparam, insert, select, text
from sqlalchemy.orm import Session

from hub.db.base import UtcDateTime
from hub.db.engine import session_factory, transaction
from hub.quality import reconciliation, runner
from hub.quality.results import QualityRunOutcome, run_quality
from hub.quality.suites import load_suites
from hub.sources.canonical import Department, SourceRef
from hub.warehouse.households.models import HouseholdRating
from hub.warehouse.ingestion.models import RawRecord
from hub.warehouse.ingestion.service import QuarantineEntry, quarantine
from hub.warehouse.provenance import LoadRun, Rejection
from hub.warehouse.quality.models import DqRun

SUITES = {s.table: s for s in load_suites(layer="core")}


def failing(outcome: QualityRunOutcome) -> dict[str, set[str]]:
    """Failing row ids by rule, for every rule that holds rows back."""
    return {
        o.rule.rule: set(o.failing_row_ids) for s in outcome.suites for o in s.outcomes if o.failing_row_ids
    }


def load_again(engine: Engine, table: str, values: str, row_id: int, at: dt.datetime) -> None:
    """Set `values` on one row as a later load writes it: stamped with that load's run and moment."""
    statement = text(f"UPDATE {table} SET {values}, run_id = 'later', loaded_at = :at WHERE id = :id")
    with engine.begin() as connection:
        connection.execute(
            statement.bindparams(bindparam("at", type_=UtcDateTime())), {"at": at, "id": row_id}
        )


def test_a_changed_only_run_finds_what_a_whole_run_finds(loaded_engine: Engine) -> None:
    with loaded_engine.begin() as connection:
        persons = [row[0] for row in connection.execute(text("SELECT id FROM persons ORDER BY id LIMIT 5"))]
        cases = [
            row[0] for row in connection.execute(text("SELECT id FROM cases WHERE closed_at IS NULL LIMIT 2"))
        ]
        # Found by the whole check below and never touched again: carried by the changed-only run.
        connection.execute(
            text("UPDATE persons SET ethnicity = '59' WHERE id IN (:a, :b)"),
            {"a": persons[0], "b": persons[1]},
        )
        connection.execute(text("UPDATE cases SET status = 'resolved' WHERE id = :id"), {"id": cases[0]})
    moment = dt.datetime.now(dt.UTC)
    baseline = run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    assert failing(baseline) == {
        "persons.ethnicity_known": {str(persons[0]), str(persons[1])},
        "cases.closed_when_resolved": {str(cases[0])},
    }

    later = moment + dt.timedelta(seconds=1)
    load_again(loaded_engine, "persons", "ethnicity = '01'", persons[1], later)  # fixed
    load_again(loaded_engine, "persons", "ethnicity = '57'", persons[2], later)  # newly wrong
    load_again(loaded_engine, "persons", "phone = 'none'", persons[3], later)
    load_again(loaded_engine, "persons", "name = name", persons[4], later)  # loaded again, still right
    load_again(loaded_engine, "cases", "status = 'resolved'", cases[1], later)
    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)
    whole = run_quality(engine=loaded_engine, trigger="test")

    assert (
        failing(changed)
        == failing(whole)
        == {
            "persons.ethnicity_known": {str(persons[0]), str(persons[2])},
            "persons.phone_format": {str(persons[3])},
            "cases.closed_when_resolved": {str(cases[0]), str(cases[1])},
        }
    )
    assert changed.status == whole.status == "warned"
    rows = {s.suite.table: s.changed_rows for s in changed.suites}
    assert rows["persons"] == 4 and rows["cases"] == 1 and rows["divisions"] == 0
    for suite_changed, suite_whole in zip(changed.suites, whole.suites, strict=True):
        for rule_changed, rule_whole in zip(suite_changed.outcomes, suite_whole.outcomes, strict=True):
            # Counts and verdicts are the whole table's, whatever the rule looked at.
            assert (rule_changed.success, rule_changed.unexpected_count) == (
                rule_whole.success,
                rule_whole.unexpected_count,
            ), rule_changed.rule.rule
    with session_factory(loaded_engine)() as session:
        recorded = session.get_one(DqRun, changed.dq_run_id)
        assert recorded.changed_since == moment and recorded.next_since is None


def test_every_changed_row_that_fails_is_kept_beyond_gx_partial_list(
    loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The changed rows sit in a temporary table on GX's one connection; the rows beyond GX's list
    # are read again from there.
    moment = dt.datetime.now(dt.UTC)
    run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    with loaded_engine.begin() as connection:
        persons = [row[0] for row in connection.execute(text("SELECT id FROM persons ORDER BY id LIMIT 30"))]
    for person in persons:
        load_again(loaded_engine, "persons", "phone = 'none'", person, moment + dt.timedelta(seconds=1))
    monkeypatch.setattr(runner, "PARTIAL_UNEXPECTED_COUNT", 20)  # GX's default cut-off

    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)

    assert changed.suite("persons").changed_rows == 30
    assert failing(changed) == {"persons.phone_format": {str(p) for p in persons}}


def test_a_failing_row_deleted_since_is_not_carried(loaded_engine: Engine) -> None:
    with loaded_engine.begin() as connection:
        tag = connection.execute(text("SELECT min(id) FROM person_tags")).scalar_one()
        connection.execute(text("UPDATE person_tags SET department = 'nowhere' WHERE id = :id"), {"id": tag})
    moment = dt.datetime.now(dt.UTC)
    assert failing(run_quality(engine=loaded_engine, trigger="test", next_since=moment)) == {
        "person_tags.department_known": {str(tag)},
        "person_tags.department_is_source": {str(tag)},
    }
    with loaded_engine.begin() as connection:
        connection.execute(text("DELETE FROM person_tags WHERE id = :id"), {"id": tag})

    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)

    assert failing(changed) == {} and changed.suite("person_tags").success


def test_what_no_run_allows_starting_from_is_checked_whole(loaded_engine: Engine) -> None:
    run_quality(
        engine=loaded_engine, trigger="test"
    )  # `hub quality run`: allows no later run to start from it

    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)

    assert all(s.changed_rows is None for s in changed.suites)
    with session_factory(loaded_engine)() as session:
        assert session.scalar(select(DqRun.changed_since).where(DqRun.id == changed.dq_run_id)) is None


def test_a_suite_at_a_new_version_and_an_old_whole_check_are_checked_whole(loaded_engine: Engine) -> None:
    moment = dt.datetime.now(dt.UTC)
    run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    edited = dataclasses.replace(SUITES["persons"], version=SUITES["persons"].version + 1)
    suites = [edited if s.table == "persons" else s for s in SUITES.values()]

    changed = run_quality(
        engine=loaded_engine, trigger="test", suites=suites, changed_only=True, next_since=moment
    )
    stale = run_quality(
        engine=loaded_engine, trigger="test", changed_only=True, full_every=dt.timedelta(seconds=-1)
    )

    assert {s.suite.table for s in changed.suites if s.changed_rows is None} == {"persons"}
    assert all(s.changed_rows is None for s in stale.suites)


def test_a_duplicate_made_since_is_found_as_the_whole_check_finds_it(loaded_engine: Engine) -> None:
    with loaded_engine.begin() as connection:
        first, second = connection.execute(
            text("SELECT id, entry_no FROM moral_point_entries ORDER BY id LIMIT 2")
        ).all()
    moment = dt.datetime.now(dt.UTC)
    assert failing(run_quality(engine=loaded_engine, trigger="test", next_since=moment)) == {}

    # Only the second entry is loaded again, with the first's number: both are duplicates now.
    load_again(loaded_engine, "moral_point_entries", f"entry_no = '{first.entry_no}'", second.id, moment)
    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)
    whole = run_quality(engine=loaded_engine, trigger="test")

    assert (
        failing(changed)
        == failing(whole)
        == {"moral_point_entries.entry_no_unique": {str(first.id), str(second.id)}}
    )
    assert changed.suite("moral_point_entries").changed_rows == 1
    duplicates = [
        (o.success, o.unexpected_count)
        for outcome in (changed, whole)
        for o in outcome.suite("moral_point_entries").outcomes
        if o.rule.rule == "moral_point_entries.entry_no_unique"
    ]
    assert duplicates == [(False, 2), (False, 2)]

    # The duplicate found, the next check starts from a run that holds it: that suite is checked whole.
    run_quality(engine=loaded_engine, trigger="test", changed_only=True, next_since=dt.datetime.now(dt.UTC))
    again = run_quality(engine=loaded_engine, trigger="test", changed_only=True)
    assert again.suite("moral_point_entries").changed_rows is None
    assert again.suite("persons").changed_rows == 0


RATINGS = ("civil_affairs", "household_ratings")


def land(engine: Engine, record_id: str, at: dt.datetime, version: str = "1") -> None:
    """A version of a ratings record landed at `at`."""
    row = {
        "source_system": RATINGS[0],
        "stream": RATINGS[1],
        "source_record_id": record_id,
        "payload_hash": f"{record_id}-{version}",
        "payload": "{}",
        "run_id": "later",
        "fetched_at": at,
    }
    with engine.begin() as connection:
        connection.execute(insert(RawRecord), row)


def publish(engine: Engine, record_id: str, at: dt.datetime) -> None:
    """A core row for a ratings record, first loaded at `at`."""
    with engine.begin() as connection:
        hh_no = connection.execute(select(HouseholdRating.hh_no).limit(1)).scalar_one()
        connection.execute(
            insert(HouseholdRating),
            {
                "hh_no": hh_no,
                "year": 2025,
                "stars": 7,
                "assessed_by": "凤鸣村村委会",
                "assessed_on": dt.date(2025, 12, 31),
                "source_system": RATINGS[0],
                "source_record_id": record_id,
                "run_id": "later",
                "loaded_at": at,
                "first_loaded_at": at,
                "row_hash": record_id,
            },
        )


def hold(engine: Engine, record_id: str, at: dt.datetime) -> None:
    """A ratings record quarantined at `at` (again, if it was before)."""
    with transaction(engine) as session:
        entry = QuarantineEntry(
            Rejection(SourceRef(Department.CIVIL_AFFAIRS, record_id), "r", at.isoformat()), RATINGS[1], "{}"
        )
        quarantine(session=session, entries=[entry], run=LoadRun("later", at))


def counts(outcome: QualityRunOutcome) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    return {
        (s.source_system, s.stream): (s.landed, s.published, s.quarantined, s.unaccounted)
        for s in outcome.reconciliation
    }


def test_a_reconciliation_counted_on_from_the_previous_run_counts_what_a_whole_one_counts(
    loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = dt.datetime.now(dt.UTC)
    early, window, later = (
        moment - dt.timedelta(hours=1),
        moment + dt.timedelta(seconds=1),
        moment + dt.timedelta(seconds=2),
    )
    land(loaded_engine, "Q1", early)
    hold(loaded_engine, "Q1", early)
    # Written after the moment the baseline allows but before it reads: counted by it now, and
    # not in its counts at `next_since`, so the next run counts it once.
    land(loaded_engine, "W1", window)
    publish(loaded_engine, "W1", window)
    baseline = run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    with loaded_engine.begin() as connection:
        existing = connection.execute(
            select(HouseholdRating.id, HouseholdRating.source_record_id).order_by(HouseholdRating.id).limit(2)
        ).all()

    land(loaded_engine, "N1", later)  # new, published
    publish(loaded_engine, "N1", later)
    land(loaded_engine, "N2", later)  # new, neither published nor quarantined
    land(loaded_engine, "N3", later)  # new, quarantined
    hold(loaded_engine, "N3", later)
    land(loaded_engine, existing[0].source_record_id, later, version="2")  # published before, changed
    load_again(loaded_engine, "household_ratings", "stars = 3", existing[0].id, later)
    publish(loaded_engine, "Q1", later)  # quarantined before, now published
    hold(loaded_engine, existing[1].source_record_id, later)  # published before, now also quarantined
    hold(loaded_engine, "Q1", later + dt.timedelta(seconds=1))  # quarantined again: first still early

    def everything(session: object, as_of: object) -> None:
        raise AssertionError("counted every record instead of those written since")

    with monkeypatch.context() as patch:
        patch.setattr(reconciliation, "_count_all", everything)
        changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True, next_since=later)
    whole = run_quality(engine=loaded_engine, trigger="test", next_since=later)

    assert counts(changed) == counts(whole)
    # What both leave a later run: the counts as they stood before this run's writes, which were
    # the baseline's.
    by_next_since = {(s.source_system, s.stream): s.by_next_since for s in changed.reconciliation}
    assert by_next_since == {(s.source_system, s.stream): s.by_next_since for s in whole.reconciliation}
    assert by_next_since[RATINGS] == reconciliation.Counts(*counts(baseline)[RATINGS][:3])
    before, after = counts(baseline)[RATINGS], counts(whole)[RATINGS]
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2], after[3] - before[3]) == (
        3,
        2,
        0,
        1,
    )
    assert {k: v for k, v in counts(whole).items() if k != RATINGS} == {
        k: v for k, v in counts(baseline).items() if k != RATINGS
    }


def test_a_baseline_without_counts_at_its_next_since_has_the_reconciliation_counted_whole(
    loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = dt.datetime.now(dt.UTC)
    baseline = run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    assert all(s.by_next_since is not None for s in baseline.reconciliation)
    with loaded_engine.begin() as connection:
        connection.execute(text("UPDATE dq_reconciliation SET landed_by_next_since = NULL"))
    land(loaded_engine, "N1", moment + dt.timedelta(seconds=1))
    counted_whole = []
    count_all = reconciliation._count_all

    def everything(session: Session, as_of: dt.datetime | None) -> object:
        counted_whole.append(as_of)
        return count_all(session, as_of)

    monkeypatch.setattr(reconciliation, "_count_all", everything)

    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)

    assert counted_whole == [None]
    assert counts(changed)[RATINGS][0] == counts(baseline)[RATINGS][0] + 1


def test_after_more_writes_than_looking_each_up_is_worth_the_reconciliation_counts_everything(
    loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = dt.datetime.now(dt.UTC)
    baseline = run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    land(loaded_engine, "N1", moment + dt.timedelta(seconds=1))
    land(loaded_engine, "N2", moment + dt.timedelta(seconds=1))
    monkeypatch.setattr(reconciliation, "RECOUNT_AT_MOST", 1)
    monkeypatch.setattr(reconciliation, "changes_since", None)  # not called

    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)

    assert counts(changed)[RATINGS][0] == counts(baseline)[RATINGS][0] + 2


def test_a_rule_that_compares_a_row_with_its_group_sees_what_changed_in_the_group(
    loaded_engine: Engine,
) -> None:
    moment = dt.datetime.now(dt.UTC)
    run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    with loaded_engine.begin() as connection:
        case_id = connection.execute(text("SELECT case_id FROM case_events ORDER BY id LIMIT 1")).scalar_one()
        events = {
            str(i)
            for (i,) in connection.execute(text(f"SELECT id FROM case_events WHERE case_id = {case_id}"))
        }
        household_id = connection.execute(text("SELECT id FROM households ORDER BY id LIMIT 1")).scalar_one()
        open_members = "SELECT id FROM household_members WHERE household_id = :h AND valid_to IS NULL"
        members = connection.execute(text(open_members), {"h": household_id}).scalars().all()

    later = moment + dt.timedelta(seconds=1)
    # The case opens after its events, which are not loaded again; the household's members all
    # leave, and the household row is not loaded again.
    load_again(loaded_engine, "cases", "opened_at = '2030-01-01 00:00:00'", case_id, later)
    for member in members:
        load_again(loaded_engine, "household_members", "valid_to = '2026-01-01'", member, later)
    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)
    whole = run_quality(engine=loaded_engine, trigger="test")

    assert failing(changed) == failing(whole)
    assert failing(whole)["case_events.after_opening"] == events
    assert failing(whole)["households.has_members"] == {str(household_id)}
    rows = {s.suite.table: s.changed_rows for s in changed.suites}
    assert rows["case_events"] == len(events) and rows["households"] == 1


def test_a_rule_that_judges_a_row_with_the_row_it_names_sees_what_changed_there(
    loaded_engine: Engine,
) -> None:
    with loaded_engine.begin() as connection:
        absorbed, survivor, later_survivor = connection.execute(
            text(
                "SELECT p.id FROM persons p WHERE p.merged_into_id IS NULL AND EXISTS "
                "(SELECT 1 FROM household_members m WHERE m.person_id = p.id) ORDER BY p.id LIMIT 3"
            )
        ).scalars()
        # Merged before the baseline, and found by it: its members' rows are carried.
        connection.execute(
            text("UPDATE persons SET merged_into_id = :s WHERE id = :p"), {"s": survivor, "p": absorbed}
        )
        link_id, target_id = connection.execute(
            text("SELECT id, target_case_id FROM case_links WHERE target_case_id IS NOT NULL ORDER BY id")
        ).first() or (None, None)
    assert link_id is not None and target_id is not None
    moment = dt.datetime.now(dt.UTC)
    baseline = run_quality(engine=loaded_engine, trigger="test", next_since=moment)
    assert "persons.merged_into_survivor" not in failing(baseline)

    later = moment + dt.timedelta(seconds=1)
    # Only the rows named change: the survivor is merged in turn, and the linked case renumbered.
    load_again(loaded_engine, "persons", f"merged_into_id = {later_survivor}", survivor, later)
    load_again(loaded_engine, "cases", "case_no = case_no || '-R'", target_id, later)
    changed = run_quality(engine=loaded_engine, trigger="test", changed_only=True)
    whole = run_quality(engine=loaded_engine, trigger="test")

    assert failing(changed) == failing(whole)
    with loaded_engine.begin() as connection:
        members_of = "SELECT id FROM household_members WHERE person_id IN (:a, :b)"
        members = {
            str(i) for i in connection.execute(text(members_of), {"a": absorbed, "b": survivor}).scalars()
        }
        links = {
            str(i)
            for i in connection.execute(
                text("SELECT id FROM case_links WHERE target_case_id = :c"), {"c": target_id}
            ).scalars()
        }
    assert failing(whole)["persons.merged_into_survivor"] == {str(absorbed)}
    assert failing(whole)["household_members.person_not_absorbed"] == members
    assert failing(whole)["case_links.target_matches_no"] == links
    rows = {s.suite.table: s.changed_rows for s in changed.suites}
    assert rows["persons"] == 2  # the survivor loaded again, and the person merged into it
    assert rows["case_links"] == len(links)
