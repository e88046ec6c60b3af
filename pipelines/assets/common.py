"""What every department read shares: two assets per read, the retry policy, incremental reads, metadata.

A read is a staging asset (`staging/<name>`: ask the department, land, map, stage — in the
department's concurrency pool, retried when the department fails) and a publish asset (`<name>`:
load what the read staged into the core tables). Between them the `staging_quality` gate runs
the staging suites on everything pending, so nothing is published that they have not checked.

Dagster checks the `context` annotation of the asset the factory builds: no postponed annotations.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Backoff,
    Config,
    Jitter,
    MaterializeResult,
    RetryPolicy,
    asset,
)
from pydantic import Field
from sqlalchemy import Engine

from hub.db.engine import transaction
from hub.warehouse.ingestion.service import advance_cursor, get_cursor
from hub.warehouse.provenance import LoadRun
from pipelines.checks import ReconcilingReport, reconciles_result, reconciles_spec
from pipelines.ingest import StageReport, Stream, publish, stage

P = TypeVar("P")
R = TypeVar("R")

# Dagster starts the ready step with the highest value first (0 when absent).
PRIORITY_TAG = "dagster/priority"
# A department that fails after the client's own retries gets the whole step retried later.
SOURCE_RETRY = RetryPolicy(max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)


class IngestConfig(Config):
    """Run configuration shared by the source assets."""

    full_reload: bool = Field(
        default=False,
        description="Read each source from the start and process every record again, not only new versions",
    )


STAGE_PREFIX = "staging"
STAGING_GATE = AssetKey("staging_quality")


@dataclass(frozen=True)
class SourceAssets:
    """One department read: the asset staging it and the asset publishing it."""

    stage: AssetsDefinition
    publish: AssetsDefinition


# Reads the department (its client), stages into the warehouse (engine) for a run, per config.
StageRead = Callable[[Any, Engine, LoadRun, IngestConfig], list[StageReport]]


def source_assets(
    *,
    name: str,
    resource: str,
    streams: Sequence[Stream[Any, Any]],
    read: StageRead,
    description: str,
    deps: Sequence[SourceAssets] = (),
    critical_path: bool = False,
) -> SourceAssets:
    """The staging and publish assets of a read of `streams` from the department `resource`.

    `resource` names the department's resource (its group and concurrency pool too); `read` stages
    the streams; `deps` are reads whose records must be published first (a case needs its grid).
    `critical_path` marks a read whose publish is on a first load's longest chain of steps (at
    1,000,000 persons: the registry, then the register, which most publishes wait for, then the
    incidents, the longest of those): it starts first when several steps are ready (Dagster's step
    priority), so that shorter publishes fill in beside it instead of delaying it.
    """

    staged_key = AssetKey([STAGE_PREFIX, name])

    @asset(
        key=staged_key,
        group_name=resource,
        pool=resource,
        retry_policy=SOURCE_RETRY,
        description=f"Staging: {description}",
        required_resource_keys={resource, "warehouse"},
        check_specs=[reconciles_spec(staged_key)],
    )
    def stage_read(context: AssetExecutionContext, config: IngestConfig) -> MaterializeResult:  # type: ignore[type-arg]  # bare: see pipelines.checks
        department = getattr(context.resources, resource)
        with context.resources.warehouse.engine() as engine, closing(department.client()) as client:
            reports = read(client, engine, LoadRun(context.run.run_id), config)
        return materialization(*reports)

    @asset(
        name=name,
        group_name=resource,
        deps=[stage_read, STAGING_GATE, *(d.publish for d in deps)],
        description=description,
        required_resource_keys={"warehouse"},
        check_specs=[reconciles_spec(AssetKey(name))],
        op_tags={PRIORITY_TAG: "1"} if critical_path else None,
    )
    def publish_read(context: AssetExecutionContext) -> MaterializeResult:  # type: ignore[type-arg]  # bare: see pipelines.checks
        run = LoadRun(context.run.run_id)
        with context.resources.warehouse.engine() as engine:
            reports = [publish(engine=engine, run=run, stream=stream) for stream in streams]
        return materialization(*reports)

    return SourceAssets(stage=stage_read, publish=publish_read)


def incremental_source(
    *,
    name: str,
    stream: Stream[Any, Any],
    resource: str,
    fetch: Callable[[Any, dt.datetime | None], Iterable[Any]],
    description: str,
    deps: Sequence[SourceAssets] = (),
    critical_path: bool = False,
) -> SourceAssets:
    """A read of one stream since its watermark; `fetch` asks the client for what changed since a
    moment (None: everything)."""

    def read(client: Any, engine: Engine, run: LoadRun, config: IngestConfig) -> list[StageReport]:
        report = stage_incrementally(
            engine=engine, run=run, stream=stream, config=config, fetch=lambda since: fetch(client, since)
        )
        return [report]

    return source_assets(
        name=name,
        resource=resource,
        streams=[stream],
        read=read,
        description=description,
        deps=deps,
        critical_path=critical_path,
    )


def stage_incrementally(
    *,
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    config: IngestConfig,
    fetch: Callable[[dt.datetime | None], Iterable[P]],
    resume_from: Callable[[Iterable[P]], dt.datetime | None] | None = None,
) -> StageReport:
    """Fetch what changed since the stream's watermark, stage it, then advance the watermark: to the
    latest change among the records fetched, or, for a source whose records carry no change time,
    to `resume_from(the read)` once it is staged (None leaves the watermark where it was)."""
    since = None if config.full_reload else _watermark(engine, stream)
    payloads = fetch(since)
    report = stage(engine=engine, run=run, stream=stream, payloads=payloads, full_reload=config.full_reload)
    _save_watermark(engine, stream, report.high_water if resume_from is None else resume_from(payloads), run)
    return report


def _watermark(engine: Engine, stream: Stream[P, R]) -> dt.datetime | None:
    with transaction(engine) as session:
        cursor = get_cursor(session=session, source_system=stream.department.value, stream=stream.name)
    return dt.datetime.fromisoformat(cursor) if cursor else None


def _save_watermark(engine: Engine, stream: Stream[P, R], moment: dt.datetime | None, run: LoadRun) -> None:
    """Advance the stream's watermark once every batch of the read has committed.

    Departments filter "changed since" inclusively, so the next read starts at the latest change
    already seen: records changed at that instant are fetched again and found unchanged, none lost.
    """
    if moment is None:
        return
    with transaction(engine) as session:
        advance_cursor(
            session=session,
            source_system=stream.department.value,
            stream=stream.name,
            cursor=moment.isoformat(),
            run=run,
        )


class StreamReport(ReconcilingReport, Protocol):
    def metadata(self) -> dict[str, Any]: ...


def materialization(*reports: StreamReport) -> MaterializeResult[None]:
    """Metadata per stream (`households.fetched` …), and the `reconciles` check's verdict on them."""
    metadata: dict[str, object] = {}
    for report in reports:
        name = report.stream.split(".", 1)[1]
        metadata.update({f"{name}.{key}": value for key, value in report.metadata().items()})
    return MaterializeResult(metadata=metadata, check_results=[reconciles_result(reports)])  # type: ignore[arg-type]
