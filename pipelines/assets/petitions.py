"""信访 petitions: the change feed, read incrementally from the cursor stored in the warehouse."""

from contextlib import closing

from dagster import AssetExecutionContext, MaterializeResult, asset
from sqlalchemy.orm import Session

from hub.db.engine import transaction
from hub.sources.canonical import Department
from hub.sources.petitions import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.ingestion.service import advance_cursor, get_cursor
from hub.warehouse.provenance import LoadRun
from pipelines.assets.common import SOURCE_RETRY, IngestConfig, materialization
from pipelines.assets.public_security import public_security_households
from pipelines.assets.registry import grid_registry
from pipelines.ingest import IngestReport, Stream, ingest
from pipelines.resources import PetitionsResource, WarehouseResource

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


@asset(
    group_name="petitions",
    pool="petitions",
    deps=[grid_registry, public_security_households],
    retry_policy=SOURCE_RETRY,
)
def petitions_feed(
    context: AssetExecutionContext,
    config: IngestConfig,
    petitions: PetitionsResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    """Petitions (letter, visit, web, 12345) since the stored cursor, which advances batch by batch."""
    run = LoadRun(context.run.run_id)
    report = IngestReport(stream=f"{Department.PETITIONS.value}.petitions")
    source, stream = Department.PETITIONS.value, PETITIONS.name
    with warehouse.engine() as engine, closing(petitions.client()) as client:
        since = None
        if not config.full_reload:
            with transaction(engine) as session:
                since = get_cursor(session=session, source_system=source, stream=stream)
        for batch in client.iter_feed(since):
            next_since = batch.next_since

            def advance(session: Session, cursor: str | None = next_since) -> None:
                if cursor is not None:
                    advance_cursor(
                        session=session, source_system=source, stream=stream, cursor=cursor, run=run
                    )

            report.add(
                ingest(
                    engine=engine,
                    full_reload=config.full_reload,
                    run=run,
                    stream=PETITIONS,
                    payloads=batch.items,
                    after_batch=advance,
                )
            )
    return materialization(report)
