"""Running every suite and keeping what it found in the dq_* tables (one `dq_runs` row per run)."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from hub.db.engine import session_factory, transaction
from hub.quality.reconciliation import Counts, StreamKey, StreamReconciliation, reconcile_sources
from hub.quality.runner import SuiteOutcome, fetch_rows, gx_version, run_suites
from hub.quality.scope import FULL_CHECK_EVERY, carry_forward, find_baseline, since_by_table
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


def run_quality(
    *,
    engine: Engine,
    run_id: str | None = None,
    trigger: str = "cli",
    layer: str = "core",
    suites: Sequence[SuiteSpec] | None = None,
    today: dt.date | None = None,
    changed_only: bool = False,
    next_since: dt.datetime | None = None,
    full_every: dt.timedelta = FULL_CHECK_EVERY,
) -> QualityRunOutcome:
    """Run a layer's suites against the warehouse and record them.

    The core layer also reconciles the sources (every landed record published or quarantined);
    the staging layer runs before anything is published, when that cannot hold yet.

    With `changed_only`, the core suites' `changed`-scope rules check only the rows loaded since
    the latest run that allows it, and carry that run's other failures (`hub.quality.scope`); the
    reconciliation starts from that run's counts and recounts only the records written since.
    `next_since` is what this run allows a later one: a moment no later than the start of any
    pipeline run still writing (None, the default, allows nothing).
    """
    started = dt.datetime.now(dt.UTC)
    chosen = suites if suites is not None else load_suites(layer=layer)
    baseline = None
    if changed_only and layer == "core":
        with session_factory(engine)() as session:
            baseline = find_baseline(session=session, now=started, full_every=full_every)
    since = since_by_table(baseline, chosen)
    changed_since = baseline.since if baseline is not None and since else None
    settled_run = baseline.dq_run_id if baseline is not None and changed_since is not None else None
    reconciliation, recounted_whole = None, False
    # The suites wait on the database for most of their time (py-spy, a daily run at 1,000,000
    # persons), so the reconciliation, which only reads, counts meanwhile on a connection of its own;
    # not on SQLite, whose database may be in memory on one shared connection.
    beside = layer == "core" and engine.dialect.name != "sqlite"
    reconcile = functools.partial(_reconcile, engine, settled_run, changed_since, next_since)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dq-reconcile") as pool:
        counting = pool.submit(reconcile) if beside else None
        outcomes = tuple(run_suites(engine=engine, suites=chosen, today=today, since=since))
        if layer == "core":
            reconciliation, recounted_whole = counting.result() if counting else reconcile()
    with transaction(engine) as session:
        if baseline is not None and changed_since is not None:
            outcomes = carry_forward(session=session, baseline=baseline, suites=outcomes)
        dq_run = record_run(
            session=session,
            engine=engine,
            run_id=run_id or uuid.uuid4().hex,
            trigger=trigger,
            started_at=started,
            layer=layer,
            suites=outcomes,
            reconciliation=reconciliation,
        )
        if layer == "core":
            dq_run.changed_since = changed_since
            dq_run.next_since = next_since
    log.info(
        "quality run recorded",
        run_id=dq_run.run_id,
        layer=layer,
        status=dq_run.status,
        changed_since=None if changed_since is None else changed_since.isoformat(),
        suites_checked_whole=sum(1 for suite in chosen if suite.table not in since),
        reconciliation_recounted_whole=recounted_whole,
        rows_failed=dq_run.rows_failed,
        expectations_failed=dq_run.expectations_failed,
    )
    return QualityRunOutcome(
        dq_run_id=dq_run.id,
        run_id=dq_run.run_id,
        status=dq_run.status,
        suites=outcomes,
        reconciliation=reconciliation or (),
    )


def _reconcile(
    engine: Engine, settled_run: int | None, since: dt.datetime | None, next_since: dt.datetime | None
) -> tuple[tuple[StreamReconciliation, ...], bool]:
    """`reconcile_sources` in a transaction of its own, from the counts `settled_run` left (None:
    recounting every record); and whether it recounted every record."""
    with transaction(engine) as session:
        settled = settled_counts(session=session, dq_run_id=settled_run) if settled_run is not None else None
        reconciliation = reconcile_sources(
            session=session, settled=settled, since=since, next_since=next_since
        )
        return tuple(reconciliation), settled is None


def record_run(
    *,
    session: Session,
    engine: Engine,
    run_id: str,
    trigger: str,
    started_at: dt.datetime,
    suites: Sequence[SuiteOutcome],
    layer: str = "core",
    reconciliation: Sequence[StreamReconciliation] | None = None,
) -> DqRun:
    """Write one layer's results and failing rows (and the reconciliation, when given) into the
    run's `dq_runs` row, then recompute the run's totals and status over every layer it holds.

    A layer recorded again for the same run (a retried Dagster step) replaces what it wrote before.
    """
    run = session.scalar(select(DqRun).where(DqRun.run_id == run_id))
    if run is None:
        run = DqRun(
            run_id=run_id,
            trigger=trigger,
            started_at=started_at,
            finished_at=started_at,
            gx_version=gx_version(),
            **dict.fromkeys(_TOTALS, 0),
            status="passed",
        )
        session.add(run)
        session.flush()
    else:
        session.execute(delete(DqResult).where(DqResult.dq_run_id == run.id, DqResult.layer == layer))
    flagged: dict[tuple[str, str], int] = {}
    for suite in suites:
        _record_suite(session, engine, run, suite, flagged)
    if reconciliation is not None:
        session.execute(delete(DqReconciliation).where(DqReconciliation.dq_run_id == run.id))
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
                    **_by_next_since(stream.by_next_since),
                )
            )
    session.flush()
    _total(session, run)
    run.finished_at = dt.datetime.now(dt.UTC)
    session.flush()
    return run


def _by_next_since(counts: Counts | None) -> dict[str, int | None]:
    return {
        "landed_by_next_since": None if counts is None else counts.landed,
        "published_by_next_since": None if counts is None else counts.published,
        "quarantined_by_next_since": None if counts is None else counts.quarantined,
    }


def settled_counts(*, session: Session, dq_run_id: int) -> dict[StreamKey, Counts] | None:
    """A run's reconciliation counts as they stood at its `next_since`; None when it recorded none
    (a run before they were recorded, or one that allowed no later run)."""
    rows = session.scalars(select(DqReconciliation).where(DqReconciliation.dq_run_id == dq_run_id)).all()
    settled = {}
    for row in rows:
        landed, published, quarantined = (
            row.landed_by_next_since,
            row.published_by_next_since,
            row.quarantined_by_next_since,
        )
        if landed is None or published is None or quarantined is None:
            return None
        settled[(row.source_system, row.stream)] = Counts(landed, published, quarantined)
    return settled or None


_TOTALS = ("suites", "expectations", "expectations_failed", "rows_checked", "rows_failed")


def _total(session: Session, run: DqRun) -> None:
    """The run's totals and status from every result and reconciliation row it holds."""
    results = session.execute(
        select(DqResult.suite, DqResult.success, DqResult.suite_broken, DqResult.table_rows).where(
            DqResult.dq_run_id == run.id
        )
    ).all()
    rows_by_suite = {suite: rows or 0 for suite, _, _, rows in results}
    failed_rows = session.execute(
        select(DqFailure.table_name, DqFailure.row_id).where(DqFailure.dq_run_id == run.id).distinct()
    ).all()
    reconciles = session.scalars(
        select(DqReconciliation.reconciles).where(DqReconciliation.dq_run_id == run.id)
    ).all()
    run.suites = len(rows_by_suite)
    run.expectations = len(results)
    run.expectations_failed = sum(1 for _, success, _, _ in results if not success)
    run.rows_checked = sum(rows_by_suite.values())
    run.rows_failed = len(failed_rows)
    if any(broken for _, _, broken, _ in results) or not all(reconciles):
        run.status = "failed"
    else:
        run.status = "warned" if run.expectations_failed else "passed"


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
                table_rows=0,
                suite_broken=True,
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
            table_rows=suite.row_count,
            suite_broken=suite.structurally_broken,
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
