"""Running every suite and keeping what it found in the dq_* tables (one `dq_runs` row per run)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.db.engine import transaction
from hub.quality.reconciliation import StreamReconciliation, reconcile_sources
from hub.quality.runner import SuiteOutcome, fetch_rows, gx_version, run_suites
from hub.quality.suites import SuiteSpec, load_suites
from hub.warehouse.quality.models import DqFailure, DqReconciliation, DqResult, DqRun

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class QualityRunOutcome:
    """A recorded run: its id in `dq_runs`, every suite's outcome, and the reconciliation."""

    dq_run_id: int
    run_id: str
    status: str
    suites: tuple[SuiteOutcome, ...]
    reconciliation: tuple[StreamReconciliation, ...]

    def suite(self, table: str) -> SuiteOutcome:
        return next(s for s in self.suites if s.suite.table == table)


def run_status(suites: Sequence[SuiteOutcome], reconciliation: Sequence[StreamReconciliation]) -> str:
    """failed: a table is structurally broken or a stream lost records; warned: rows held back."""
    if any(s.structurally_broken for s in suites) or not all(r.reconciles for r in reconciliation):
        return "failed"
    return "passed" if all(s.success for s in suites) else "warned"


def run_quality(
    *,
    engine: Engine,
    run_id: str | None = None,
    trigger: str = "cli",
    suites: Sequence[SuiteSpec] | None = None,
    today: dt.date | None = None,
) -> QualityRunOutcome:
    """Run every suite against the warehouse, reconcile the sources, and record it all."""
    started = dt.datetime.now(dt.UTC)
    outcomes = tuple(run_suites(engine=engine, suites=suites or load_suites(), today=today))
    with transaction(engine) as session:
        reconciliation = tuple(reconcile_sources(session=session))
        dq_run = record_run(
            session=session,
            engine=engine,
            run_id=run_id or uuid.uuid4().hex,
            trigger=trigger,
            started_at=started,
            suites=outcomes,
            reconciliation=reconciliation,
        )
    status = run_status(outcomes, reconciliation)
    log.info(
        "quality run recorded",
        run_id=dq_run.run_id,
        status=status,
        rows_failed=dq_run.rows_failed,
        expectations_failed=dq_run.expectations_failed,
    )
    return QualityRunOutcome(
        dq_run_id=dq_run.id,
        run_id=dq_run.run_id,
        status=status,
        suites=outcomes,
        reconciliation=reconciliation,
    )


def record_run(
    *,
    session: Session,
    engine: Engine,
    run_id: str,
    trigger: str,
    started_at: dt.datetime,
    suites: Sequence[SuiteOutcome],
    reconciliation: Sequence[StreamReconciliation],
) -> DqRun:
    """Write one run's results, failing rows and reconciliation; a run id already recorded is
    replaced (a retried Dagster step records its run once)."""
    existing = session.scalar(select(DqRun).where(DqRun.run_id == run_id))
    if existing is not None:
        session.delete(existing)
        session.flush()
    results = [o for s in suites for o in s.outcomes]
    run = DqRun(
        run_id=run_id,
        trigger=trigger,
        started_at=started_at,
        finished_at=dt.datetime.now(dt.UTC),
        status=run_status(suites, reconciliation),
        suites=len(suites),
        expectations=len(results) + sum(1 for s in suites if s.error),
        expectations_failed=sum(1 for o in results if not o.success) + sum(1 for s in suites if s.error),
        rows_checked=sum(s.row_count for s in suites),
        rows_failed=sum(len(s.failing_row_ids) for s in suites),
        gx_version=gx_version(),
    )
    session.add(run)
    session.flush()
    flagged: dict[tuple[str, str], int] = {}
    for suite in suites:
        _record_suite(session, engine, run, suite, flagged)
    for stream in reconciliation:
        session.add(
            DqReconciliation(
                dq_run_id=run.id,
                source_system=stream.source_system,
                stream=stream.stream,
                landed=stream.landed,
                published=stream.published,
                quarantined=stream.quarantined,
                unaccounted=stream.unaccounted,
                flagged=flagged.get((stream.source_system, stream.stream), 0),
                reconciles=stream.reconciles,
            )
        )
    session.flush()
    return run


def _record_suite(
    session: Session, engine: Engine, run: DqRun, suite: SuiteOutcome, flagged: dict[tuple[str, str], int]
) -> None:
    spec = suite.suite
    if suite.error is not None:
        session.add(
            DqResult(
                dq_run_id=run.id,
                suite=spec.name,
                suite_version=spec.version,
                layer=spec.layer,
                table_name=spec.table,
                rule=f"{spec.table}.suite_runs",
                expectation_type="suite",
                column_name=None,
                level="batch",
                success=False,
                element_count=None,
                unexpected_count=None,
                unexpected_percent=None,
                observed_value=None,
                reason="the suite could not run on its table",
                exception=suite.error,
            )
        )
        return
    ids = {row_id for o in suite.outcomes for row_id in o.failing_row_ids}
    rows = fetch_rows(engine=engine, table=spec.table, row_id=spec.row_id, ids=ids) if ids else {}
    for outcome in suite.outcomes:
        result = DqResult(
            dq_run_id=run.id,
            suite=spec.name,
            suite_version=spec.version,
            layer=spec.layer,
            table_name=spec.table,
            rule=outcome.rule.rule,
            expectation_type=outcome.rule.type,
            column_name=outcome.rule.column,
            level=outcome.rule.level,
            success=outcome.success,
            element_count=outcome.element_count,
            unexpected_count=outcome.unexpected_count,
            unexpected_percent=outcome.unexpected_percent,
            observed_value=None if outcome.observed_value is None else _json(outcome.observed_value),
            reason=outcome.rule.reason,
            exception=outcome.exception,
        )
        session.add(result)
        session.flush()
        for row_id in outcome.failing_row_ids:
            row = rows.get(row_id, {})
            source = row.get("source_system")
            session.add(
                DqFailure(
                    dq_run_id=run.id,
                    dq_result_id=result.id,
                    table_name=spec.table,
                    row_id=row_id,
                    source_system=source,
                    source_record_id=row.get("source_record_id"),
                    rule=outcome.rule.rule,
                    reason=outcome.rule.reason,
                    payload=_json(row),
                )
            )
    for row in rows.values():
        # Attribute held-back rows to their stream for the reconciliation table (by source system;
        # the stream is not on the core row, so it counts under every stream of that system whose
        # records reach this table — see `flagged_streams`).
        for key in flagged_streams(spec.table, row.get("source_system")):
            flagged[key] = flagged.get(key, 0) + 1


# Which stream's records land in which core table (for attributing held-back rows).
_STREAM_TABLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("registry", "divisions"): ("divisions",),
    ("registry", "grids"): ("grids",),
    ("registry", "grid_workers"): ("grid_workers",),
    ("registry", "addresses"): ("grid_addresses",),
    ("public_security", "households"): ("households", "household_members", "persons"),
    ("public_security", "incidents"): ("cases", "case_parties", "case_links", "case_events"),
    ("civil_affairs", "benefits"): ("person_tags",),
    ("civil_affairs", "assistance"): ("cases", "case_parties", "case_links", "case_events"),
    ("civil_affairs", "household_ratings"): ("household_ratings",),
    ("civil_affairs", "moral_points"): ("moral_point_entries",),
    ("justice", "mediation_cases"): ("cases", "case_parties", "case_links", "case_events"),
    ("justice", "correction_subjects"): ("person_tags",),
    ("petitions", "petitions"): ("cases", "case_parties", "case_links", "case_events"),
}


def flagged_streams(table: str, source_system: Any) -> list[tuple[str, str]]:
    """The streams of `source_system` whose records become rows of `table`."""
    return [key for key, tables in _STREAM_TABLES.items() if key[0] == source_system and table in tables]


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str, option=orjson.OPT_SORT_KEYS).decode()
