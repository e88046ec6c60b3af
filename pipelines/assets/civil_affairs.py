"""民政 civil affairs: benefits (tags) and assistance applications (cases)."""

from contextlib import closing

from dagster import AssetExecutionContext, MaterializeResult, asset

from hub.sources.canonical import Department
from hub.sources.civil_affairs import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.provenance import LoadRun
from hub.warehouse.tags.loading import load_tags
from pipelines.assets.common import SOURCE_RETRY, IngestConfig, ingest_incrementally, materialization
from pipelines.assets.registry import grid_registry
from pipelines.ingest import Stream
from pipelines.resources import CivilAffairsResource, WarehouseResource

BENEFITS = Stream(
    Department.CIVIL_AFFAIRS,
    "benefits",
    records.benefit_id,
    mapping.map_benefit,
    load_tags,
    changed_at=records.changed_at,
    payload_type=records.BenefitRow,
)
ASSISTANCE = Stream(
    Department.CIVIL_AFFAIRS,
    "assistance",
    records.assistance_id,
    mapping.map_assistance,
    load_cases,
    changed_at=records.changed_at,
    payload_type=records.AssistanceRow,
)


@asset(group_name="civil_affairs", pool="civil_affairs", deps=[grid_registry], retry_policy=SOURCE_RETRY)
def civil_affairs_benefits(
    context: AssetExecutionContext,
    config: IngestConfig,
    civil_affairs: CivilAffairsResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    """低保, 特困, disability and left-behind registrations as person tags."""
    with warehouse.engine() as engine, closing(civil_affairs.client()) as client:
        report = ingest_incrementally(
            engine=engine,
            run=LoadRun(context.run.run_id),
            stream=BENEFITS,
            config=config,
            fetch=lambda since: client.iter_benefits(changed_since=since.date() if since else None),
        )
    return materialization(report)


@asset(group_name="civil_affairs", pool="civil_affairs", deps=[grid_registry], retry_policy=SOURCE_RETRY)
def civil_affairs_assistance(
    context: AssetExecutionContext,
    config: IngestConfig,
    civil_affairs: CivilAffairsResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    """Temporary-assistance applications as cases of kind `assistance`."""
    with warehouse.engine() as engine, closing(civil_affairs.client()) as client:
        report = ingest_incrementally(
            engine=engine,
            run=LoadRun(context.run.run_id),
            stream=ASSISTANCE,
            config=config,
            fetch=lambda since: client.iter_assistance(changed_since=since.date() if since else None),
        )
    return materialization(report)
