"""What every source asset shares: one factory, the retry policy, incremental reads, metadata.

Dagster checks the `context` annotation of the asset the factory builds: no postponed annotations.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from typing import Any, TypeVar

from dagster import (
    AssetExecutionContext,
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
from pipelines.ingest import IngestReport, Stream, ingest

P = TypeVar("P")
R = TypeVar("R")

# A department that fails after the client's own retries gets the whole step retried later.
SOURCE_RETRY = RetryPolicy(max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)


class IngestConfig(Config):
    """Run configuration shared by the source assets."""

    full_reload: bool = Field(
        default=False,
        description="Read each source from the start and process every record again, not only new versions",
    )


def source_asset(
    *,
    name: str,
    stream: Stream[Any, Any],
    resource: str,
    fetch: Callable[[Any, dt.datetime | None], Iterable[Any]],
    description: str,
    deps: Sequence[AssetsDefinition] = (),
) -> AssetsDefinition:
    """An asset reading one stream of a department incrementally into the warehouse.

    `resource` names the department's resource (its group and concurrency pool too); `fetch` asks
    its client for what changed since a moment (None: everything).
    """

    @asset(
        name=name,
        group_name=resource,
        pool=resource,
        deps=list(deps),
        retry_policy=SOURCE_RETRY,
        description=description,
        required_resource_keys={resource, "warehouse"},
    )
    def read_stream(context: AssetExecutionContext, config: IngestConfig) -> MaterializeResult[None]:
        department = getattr(context.resources, resource)
        with context.resources.warehouse.engine() as engine, closing(department.client()) as client:
            report = ingest_incrementally(
                engine=engine,
                run=LoadRun(context.run.run_id),
                stream=stream,
                config=config,
                fetch=lambda since: fetch(client, since),
            )
        return materialization(report)

    return read_stream


def ingest_incrementally(
    *,
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    config: IngestConfig,
    fetch: Callable[[dt.datetime | None], Iterable[P]],
) -> IngestReport:
    """Fetch what changed since the stream's watermark, ingest it, then advance the watermark."""
    since = None if config.full_reload else _watermark(engine, stream)
    report = ingest(
        engine=engine, run=run, stream=stream, payloads=fetch(since), full_reload=config.full_reload
    )
    _save_watermark(engine, stream, report, run)
    return report


def _watermark(engine: Engine, stream: Stream[P, R]) -> dt.datetime | None:
    with transaction(engine) as session:
        cursor = get_cursor(session=session, source_system=stream.department.value, stream=stream.name)
    return dt.datetime.fromisoformat(cursor) if cursor else None


def _save_watermark(engine: Engine, stream: Stream[P, R], report: IngestReport, run: LoadRun) -> None:
    """Advance the stream's watermark once every batch of the read has committed.

    Departments filter "changed since" inclusively, so the next read starts at the latest change
    already seen: records changed at that instant are fetched again and found unchanged, none lost.
    """
    if report.high_water is None:
        return
    with transaction(engine) as session:
        advance_cursor(
            session=session,
            source_system=stream.department.value,
            stream=stream.name,
            cursor=report.high_water.isoformat(),
            run=run,
        )


def materialization(*reports: IngestReport) -> MaterializeResult[None]:
    """Metadata per stream (`households.fetched` …), which the `reconciles` check reads."""
    metadata: dict[str, object] = {}
    for report in reports:
        name = report.stream.split(".", 1)[1]
        metadata.update({f"{name}.{key}": value for key, value in report.metadata().items()})
    return MaterializeResult(metadata=metadata)  # type: ignore[arg-type]
