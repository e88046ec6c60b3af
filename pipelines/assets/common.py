"""What every asset shares: the retry policy and how a run's reports become Dagster metadata."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TypeVar

from dagster import Backoff, Config, Jitter, MaterializeResult, RetryPolicy
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
