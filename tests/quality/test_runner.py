"""Suites on the golden county, both backends: clean data passes; a defect is caught row by row."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select, text

from hub.db.engine import session_factory
from hub.quality.results import run_quality
from hub.quality.runner import run_suite
from hub.quality.suites import load_suites
from hub.warehouse.quality.models import DqFailure, DqReconciliation, DqResult, DqRun
from pipelines.streams import STREAMS

SUITES = {s.table: s for s in load_suites(layer="core")}


def test_clean_golden_county_passes_every_rule(loaded_engine: Engine) -> None:
    outcome = run_quality(engine=loaded_engine, trigger="test")

    failed = [
        (o.rule.rule, o.unexpected_count, o.exception)
        for s in outcome.suites
        for o in s.outcomes
        if not o.success
    ]
    assert failed == []
    assert outcome.status == "passed"
    assert all(r.reconciles for r in outcome.reconciliation) and len(outcome.reconciliation) == len(STREAMS)
    with session_factory(loaded_engine)() as session:
        run = session.scalars(select(DqRun)).one()
        assert run.rows_failed == 0 and run.expectations == sum(len(s.rules) for s in SUITES.values())
        assert session.scalar(select(func.count()).select_from(DqFailure)) == 0


def test_each_failing_row_is_caught_by_id_and_held_back_with_its_rule(loaded_engine: Engine) -> None:
    with loaded_engine.begin() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM persons ORDER BY id LIMIT 4"))]
        # a mistyped check character, a sex that contradicts the ID, a birth date in the future
        connection.execute(
            text("UPDATE persons SET id_number = substr(id_number, 1, 17) || "
                 "CASE WHEN substr(id_number, 18, 1) = '1' THEN '2' ELSE '1' END WHERE id = :id"),
            {"id": ids[0]},
        )  # fmt: skip
        connection.execute(
            text("UPDATE persons SET sex = CASE WHEN sex = '1' THEN '2' ELSE '1' END WHERE id = :id"),
            {"id": ids[1]},
        )
        connection.execute(text("UPDATE persons SET name = '王 伟' WHERE id = :id"), {"id": ids[2]})
        connection.execute(text("UPDATE persons SET ethnicity = '59' WHERE id = :id"), {"id": ids[3]})
        case_id = connection.execute(
            text("SELECT min(id) FROM cases WHERE closed_at IS NOT NULL")
        ).scalar_one()
        connection.execute(
            text("UPDATE cases SET closed_at = :at WHERE id = :id"),
            {"at": dt.datetime(2000, 1, 2, tzinfo=dt.UTC), "id": case_id},
        )

    persons = run_suite(engine=loaded_engine, suite=SUITES["persons"])
    cases = run_suite(engine=loaded_engine, suite=SUITES["cases"])

    failing = {o.rule.rule: o.failing_row_ids for o in persons.outcomes if not o.success}
    assert failing == {
        "persons.id_number_checksum": (str(ids[0]),),
        "persons.sex_matches_id": (str(ids[1]),),
        "persons.name_chinese": (str(ids[2]),),
        "persons.ethnicity_known": (str(ids[3]),),
    }
    assert not persons.structurally_broken  # four bad rows are held back; the table flows on
    assert {o.rule.rule: o.failing_row_ids for o in cases.outcomes if not o.success} == {
        "cases.closed_after_opened": (str(case_id),)
    }

    outcome = run_quality(engine=loaded_engine, trigger="test")
    assert outcome.status == "warned"
    with session_factory(loaded_engine)() as session:
        held = session.execute(select(DqFailure.rule, DqFailure.row_id, DqFailure.reason)).all()
        assert {(rule, row_id) for rule, row_id, _ in held} == {
            ("persons.id_number_checksum", str(ids[0])),
            ("persons.sex_matches_id", str(ids[1])),
            ("persons.name_chinese", str(ids[2])),
            ("persons.ethnicity_known", str(ids[3])),
            ("cases.closed_after_opened", str(case_id)),
        }
        assert all(reason for _, _, reason in held)
        assert session.scalar(select(func.count()).select_from(DqReconciliation)) == len(STREAMS)


def test_suites_on_several_threads_find_what_one_thread_finds(
    loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.quality import runner

    with loaded_engine.begin() as connection:
        connection.execute(text("UPDATE persons SET phone = 'unknown' WHERE id <= 30"))
        connection.execute(text("UPDATE case_parties SET role = 'bystander' WHERE id <= 20"))
        connection.execute(
            text(
                "UPDATE cases SET closed_at = NULL WHERE id IN "
                "(SELECT id FROM cases WHERE status = 'resolved' ORDER BY id LIMIT 10)"
            )
        )
    suites = load_suites(layer="core")
    # The changed rows of every table, as a daily check sees them: batches in temporary tables.
    since = {suite.table: dt.datetime(2000, 1, 1, tzinfo=dt.UTC) for suite in suites}

    def found(threads: int) -> list[tuple[str, int, int | None, str | None, frozenset[str]]]:
        """Each suite's counts and the rules it found failing, with their rows."""
        monkeypatch.setattr(runner, "SUITE_THREADS", threads)
        return [
            (
                s.suite.table,
                s.row_count,
                s.changed_rows,
                s.error,
                frozenset(
                    f"{o.rule.rule} {o.unexpected_count} {o.failing_row_ids}"
                    for o in s.outcomes
                    if not o.success
                ),
            )
            for s in runner.run_suites(engine=loaded_engine, suites=suites, since=since)
        ]

    alone = found(1)
    assert {rule.split()[0] for *_, failing in alone for rule in failing} >= {
        "persons.phone_format",
        "case_parties.role_known",
        "cases.closed_when_resolved",
    }
    assert found(4) == alone
    assert found(4) == alone  # and again, on the contexts the first run gave back


def test_every_failing_row_is_kept_beyond_gx_partial_list(loaded_engine: Engine) -> None:
    with loaded_engine.begin() as connection:
        connection.execute(text("UPDATE persons SET phone = 'unknown' WHERE id <= 60"))
    from hub.quality import runner

    limit, runner.PARTIAL_UNEXPECTED_COUNT = runner.PARTIAL_UNEXPECTED_COUNT, 20  # GX's default cut-off
    try:
        outcome = run_suite(engine=loaded_engine, suite=SUITES["persons"])
    finally:
        runner.PARTIAL_UNEXPECTED_COUNT = limit
    phone = next(o for o in outcome.outcomes if o.rule.rule == "persons.phone_format")
    assert phone.unexpected_count == 60 and len(phone.failing_row_ids) == 60


def test_a_structurally_broken_table_fails_the_batch(loaded_engine: Engine) -> None:
    with loaded_engine.begin() as connection:
        connection.execute(text("DELETE FROM grid_workers"))

    outcome = run_quality(engine=loaded_engine, trigger="test")

    assert outcome.suite("grid_workers").structurally_broken
    assert outcome.status == "failed"
    with session_factory(loaded_engine)() as session:
        result = session.scalars(
            select(DqResult).where(
                DqResult.rule == "grid_workers.not_empty", DqResult.dq_run_id == outcome.dq_run_id
            )
        ).one()
        assert result.level == "batch" and not result.success


def test_runs_accumulate_as_history(loaded_engine: Engine) -> None:
    with session_factory(loaded_engine)() as session:
        # The pipeline run that loaded the warehouse already checked it once.
        before = session.scalars(select(DqRun.run_id).order_by(DqRun.id)).all()
    first = run_quality(engine=loaded_engine, trigger="test")
    second = run_quality(engine=loaded_engine, trigger="test")
    again = run_quality(engine=loaded_engine, trigger="test", run_id=second.run_id)  # a retried step

    with session_factory(loaded_engine)() as session:
        runs = session.scalars(select(DqRun.run_id).order_by(DqRun.id)).all()
    assert runs == [*before, first.run_id, again.run_id]
