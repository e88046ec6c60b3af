"""Data quality in the pipeline: two gates, each with one blocking check per suite.

`staging_quality` runs once every read is staged and before anything is published: it runs the
staging suites (`layer: staging`) on every pending record and quarantines the records they find at
fault (`hub.quality.staging`). Its `suite_stg_<table>` checks fail when a staging table is
structurally broken; they block every publish asset, so the records wait in staging.

`data_quality` runs once every source is published and persons resolved: it runs the core suites in
`expectations/` with Great Expectations (imported only when it runs), records results, held-back
rows and the source reconciliation in the dq_* tables under this Dagster run's id (beside the staging
results), and writes the
auditors' report (HTML, CSV, JSON) to `<var>/reports/quality/latest/` and `…/runs/<run id>/`. It
materialises even when rules fail, so that the report exists exactly when it matters. Its row-local
rules check only the rows loaded since the previous pipeline's check and carry that check's other
failures (`hub.quality.scope`); the moment it allows the next one is its start, or the start of
any other run still in progress if earlier (so rows such a run commits later are checked then).
`QualityConfig(whole_tables=True)` checks everything.

`suite_<table>` checks read that run's results. Row-level failures hold the failing rows back
(`dq_failures`, with rule and reason) and leave the check passing with a warning; a structurally
broken table (a batch rule failed, a rule could not run, or more rows failed than the suite's
`max_row_failure_rate`) fails the check, which is blocking: nothing downstream of `data_quality`
materialises. `sources_reconcile` fails when a stream's landed records are neither published nor
quarantined.

The checks are evaluated in their gate's own step, from what the gate recorded: a step per check
cost a process per check when steps run in processes of their own (`hub pipeline run`).

Dagster checks the `context` annotation when an asset is defined: no postponed annotations here.
"""

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Config,
    DagsterInstance,
    DagsterRunStatus,
    MaterializeResult,
    MetadataValue,
    RunsFilter,
    asset,
)
from sqlalchemy import Engine, select

from hub.db.engine import session_factory
from hub.quality.report import build_report, write_report
from hub.quality.results import run_quality
from hub.quality.staging import check_staged
from hub.quality.suites import SuiteSpec, load_suites
from hub.warehouse.quality.models import DqReconciliation, DqResult, DqRun
from pipelines.assets.cases import case_links
from pipelines.assets.common import STAGING_GATE
from pipelines.assets.persons import person_resolution
from pipelines.assets.registry import grid_registry
from pipelines.resources import WarehouseResource
from pipelines.streams import SOURCES

# Runs in these states write nothing any more, or not yet (a queued run's loads start after it starts).
NOT_WRITING = frozenset(
    {
        DagsterRunStatus.NOT_STARTED,
        DagsterRunStatus.QUEUED,
        DagsterRunStatus.SUCCESS,
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.CANCELED,
    }
)
# Loads stamp rows with their worker's clock and Dagster its runs with another process's clock.
CLOCK_SKEW = dt.timedelta(minutes=1)


class QualityConfig(Config):
    """`whole_tables`: check every rule on whole tables, not only the rows changed since the last check."""

    whole_tables: bool = False


def next_since(instance: DagsterInstance, *, run_id: str, now: dt.datetime) -> dt.datetime:
    """The moment a later check may start from: now, or the start of another run still in
    progress if earlier (its rows may commit after this check reads), less `CLOCK_SKEW`."""
    writing = [status for status in DagsterRunStatus if status not in NOT_WRITING]
    starts = [now]
    for record in instance.get_run_records(filters=RunsFilter(statuses=writing)):
        if record.dagster_run.run_id == run_id:
            continue
        if record.start_time is not None:
            starts.append(dt.datetime.fromtimestamp(record.start_time, dt.UTC))
        else:  # not started yet: its loads will start after it was created
            created = record.create_timestamp
            starts.append(created if created.tzinfo else created.replace(tzinfo=dt.UTC))
    return min(starts) - CLOCK_SKEW


def report_root(context: AssetExecutionContext) -> Path:
    """`<var>/reports/quality`: beside the Dagster home (`<var>/dagster`)."""
    return Path(context.instance.root_directory).resolve().parent / "reports" / "quality"


STAGING_SUITES = load_suites(layer="staging")
CORE_SUITES = load_suites(layer="core")
DATA_QUALITY = AssetKey("data_quality")
SOURCES_RECONCILE = "sources_reconcile"


def suite_spec(suite: SuiteSpec, asset: AssetKey) -> AssetCheckSpec:
    """A blocking check, on the gate that runs the suite, that its table is not structurally broken."""
    return AssetCheckSpec(
        f"suite_{suite.table}",
        asset=asset,
        blocking=True,
        description=f"expectations/{suite.path.name}: {len(suite.rules)} rules on {suite.table}",
    )


@asset(
    key=STAGING_GATE,
    group_name="quality",
    deps=[source.stage for source in SOURCES],
    check_specs=[suite_spec(suite, STAGING_GATE) for suite in STAGING_SUITES],
)
def staging_quality(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:  # type: ignore[type-arg]  # bare: see pipelines.checks
    """Check every pending record with the staging suites; quarantine the records they fail."""
    with warehouse.engine() as engine:
        gate = check_staged(engine=engine, run_id=context.run.run_id)
        checks = suite_results(engine, run_id=context.run.run_id, suites=STAGING_SUITES)
    suites = gate.quality.suites
    return MaterializeResult(
        metadata={
            "suites": len(suites),
            "rows_checked": sum(s.row_count for s in suites),
            "records_held_back": sum(gate.held_back.values()),
            **{f"held_back.{stream}": count for stream, count in sorted(gate.held_back.items())},
            "broken_tables": ", ".join(gate.broken_tables) or "none",
        },
        check_results=checks,
    )


@asset(
    key=DATA_QUALITY,
    group_name="quality",
    deps=[grid_registry.publish, person_resolution, case_links],
    check_specs=[
        *(suite_spec(suite, DATA_QUALITY) for suite in CORE_SUITES),
        AssetCheckSpec(
            SOURCES_RECONCILE,
            asset=DATA_QUALITY,
            blocking=True,
            description="Every landed source record is published or quarantined (per stream, this run)",
        ),
    ],
)
def data_quality(
    context: AssetExecutionContext, config: QualityConfig, warehouse: WarehouseResource
) -> MaterializeResult:  # type: ignore[type-arg]  # bare: see pipelines.checks
    """Run every suite on the warehouse, record the results, and write the auditors' report."""
    run_id = context.run.run_id
    allowed = next_since(context.instance, run_id=run_id, now=dt.datetime.now(dt.UTC))
    with warehouse.engine() as engine:
        outcome = run_quality(
            engine=engine,
            run_id=run_id,
            trigger="pipeline",
            changed_only=not config.whole_tables,
            next_since=allowed,
        )
        with session_factory(engine)() as session:
            report = build_report(session=session, dq_run_id=outcome.dq_run_id)
        checks = [
            *suite_results(engine, run_id=run_id, suites=CORE_SUITES),
            sources_reconcile(engine, run_id),
        ]
    root = report_root(context)
    run_dir = root / "runs" / run_id
    write_report(report, run_dir)
    latest = root / "latest"
    shutil.rmtree(latest, ignore_errors=True)
    shutil.copytree(run_dir, latest)
    failed = [s.suite.table for s in outcome.suites if not s.success]
    return MaterializeResult(
        metadata={
            "status": outcome.status,
            "suites": len(outcome.suites),
            "suites_checked_whole": sum(1 for s in outcome.suites if s.changed_rows is None),
            "changed_rows_checked": sum(s.changed_rows or 0 for s in outcome.suites),
            "rows_held_back": sum(len(s.failing_row_ids) for s in outcome.suites),
            "tables_with_failures": ", ".join(failed) or "none",
            "broken_tables": ", ".join(s.suite.table for s in outcome.suites if s.structurally_broken)
            or "none",
            "streams_reconciling": sum(r.reconciles for r in outcome.reconciliation),
            "streams": len(outcome.reconciliation),
            "report": MetadataValue.path(str(latest / "report.html")),
        },
        check_results=checks,
    )


def suite_results(engine: Engine, *, run_id: str, suites: Sequence[SuiteSpec]) -> list[AssetCheckResult]:
    """Each suite's check, from the results this Dagster run recorded for its table."""
    with session_factory(engine)() as session:
        recorded = session.scalars(
            select(DqResult)
            .join(DqRun, DqRun.id == DqResult.dq_run_id)
            .where(DqRun.run_id == run_id, DqResult.table_name.in_([suite.table for suite in suites]))
        ).all()
    by_table: dict[str, list[DqResult]] = {}
    for result in recorded:
        by_table.setdefault(result.table_name, []).append(result)
    return [_suite_result(suite, by_table.get(suite.table, [])) for suite in suites]


def _suite_result(suite: SuiteSpec, results: list[DqResult]) -> AssetCheckResult:
    broken = [r.rule for r in results if not r.success and (r.level == "batch" or r.exception)]
    failing_rows = [r for r in results if not r.success and r.level == "row" and not r.exception]
    passed = bool(results) and not any(r.suite_broken for r in results)
    return AssetCheckResult(
        check_name=f"suite_{suite.table}",
        passed=passed,
        severity=AssetCheckSeverity.ERROR if not passed else AssetCheckSeverity.WARN,
        metadata={
            "rules": len(results),
            "batch_failures": ", ".join(broken) or "none",
            "rules_holding_rows": ", ".join(r.rule for r in failing_rows) or "none",
            "row_failures": sum(r.unexpected_count or 0 for r in failing_rows),
            "table_rows": max((r.table_rows or 0 for r in results), default=0),
            "suite_version": suite.version,
        },
    )


def sources_reconcile(engine: Engine, run_id: str) -> AssetCheckResult:
    """Every landed source record is published or quarantined (per stream, this run)."""
    with session_factory(engine)() as session:
        streams = session.scalars(
            select(DqReconciliation)
            .join(DqRun, DqRun.id == DqReconciliation.dq_run_id)
            .where(DqRun.run_id == run_id)
        ).all()
        broken = [f"{s.source_system}.{s.stream}" for s in streams if not s.reconciles]
    return AssetCheckResult(
        check_name=SOURCES_RECONCILE,
        passed=bool(streams) and not broken,
        severity=AssetCheckSeverity.ERROR,
        metadata={"streams": len(streams), "not_reconciling": ", ".join(broken) or "none"},
    )


quality_assets = [staging_quality, data_quality]
