"""信访 petitions: the change feed, read incrementally from the cursor stored in the warehouse."""

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.db.engine import transaction
from hub.sources.canonical import Department
from hub.sources.petitions import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.ingestion.service import advance_cursor, get_cursor
from hub.warehouse.provenance import LoadRun
from pipelines.assets.common import IngestConfig, source_assets
from pipelines.assets.public_security import public_security_households
from pipelines.assets.registry import grid_registry
from pipelines.ingest import StageReport, Stream, stage

# The feed sends every version of a petition; within a batch only the latest is published.
PETITIONS = Stream(
    Department.PETITIONS,
    "petitions",
    records.petition_id,
    mapping.map_petition,
    load_cases,
    latest_only=True,
    payload_type=records.PetitionPayload,
)


def _read_feed(client: Any, engine: Engine, run: LoadRun, config: IngestConfig) -> list[StageReport]:
    """Petitions since the stored cursor, which advances with each batch staged."""
    report = StageReport(stream=PETITIONS.key)
    source, stream = Department.PETITIONS.value, PETITIONS.name
    since = None
    if not config.full_reload:
        with transaction(engine) as session:
            since = get_cursor(session=session, source_system=source, stream=stream)
    for batch in client.iter_feed(since):
        next_since = batch.next_since

        def advance(session: Session, cursor: str | None = next_since) -> None:
            if cursor is not None:
                advance_cursor(session=session, source_system=source, stream=stream, cursor=cursor, run=run)

        report.add(
            stage(
                engine=engine,
                run=run,
                stream=PETITIONS,
                payloads=batch.items,
                after_batch=advance,
                full_reload=config.full_reload,
            )
        )
    return [report]


petitions_feed = source_assets(
    name="petitions_feed",
    resource="petitions",
    streams=[PETITIONS],
    read=_read_feed,
    description="Petitions (letter, visit, web, 12345) from the change feed, read from its stored cursor.",
    deps=[grid_registry, public_security_households],
)
