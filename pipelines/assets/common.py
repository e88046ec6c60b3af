"""What every asset shares: the retry policy and how a run's reports become Dagster metadata."""

from __future__ import annotations

from dagster import Backoff, Config, Jitter, MaterializeResult, RetryPolicy
from pydantic import Field

from pipelines.ingest import IngestReport

# A department that fails after the client's own retries gets the whole step retried later.
SOURCE_RETRY = RetryPolicy(max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)


class IngestConfig(Config):
    """Run configuration shared by the source assets."""

    full_reload: bool = Field(
        default=False,
        description="Read each source from the start and process every record again, not only new versions",
    )


def materialization(*reports: IngestReport) -> MaterializeResult[None]:
    """Metadata per stream (`households.fetched` …); a stream that does not reconcile fails the asset."""
    metadata: dict[str, object] = {}
    for report in reports:
        name = report.stream.split(".", 1)[1]
        metadata.update({f"{name}.{key}": value for key, value in report.metadata().items()})
    broken = [r.stream for r in reports if not r.reconciles]
    if broken:
        raise RuntimeError(f"streams do not reconcile (fetched ≠ published + quarantined): {broken}")
    return MaterializeResult(metadata=metadata)  # type: ignore[arg-type]
