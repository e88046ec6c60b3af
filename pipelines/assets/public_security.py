"""公安 public security: the household register and police incidents/cases."""

from contextlib import closing

from dagster import AssetExecutionContext, MaterializeResult, asset

from hub.sources.canonical import Department
from hub.sources.public_security import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.households.loading import load_households
from hub.warehouse.provenance import LoadRun
from pipelines.assets.common import SOURCE_RETRY, IngestConfig, ingest_incrementally, materialization
from pipelines.assets.registry import grid_registry
from pipelines.ingest import Stream
from pipelines.resources import PublicSecurityResource, WarehouseResource

HOUSEHOLDS = Stream(
    Department.PUBLIC_SECURITY,
    "households",
    records.household_id,
    mapping.map_household,
    load_households,
    changed_at=records.changed_at,
    payload_type=records.HouseholdPayload,
)
INCIDENTS = Stream(
    Department.PUBLIC_SECURITY,
    "incidents",
    records.incident_id,
    mapping.map_incident,
    load_cases,
    changed_at=records.changed_at,
    payload_type=records.IncidentPayload,
)


@asset(group_name="public_security", pool="public_security", deps=[grid_registry], retry_policy=SOURCE_RETRY)
def public_security_households(
    context: AssetExecutionContext,
    config: IngestConfig,
    public_security: PublicSecurityResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    """Households, members and persons from the household register (户籍), placed in grids."""
    with warehouse.engine() as engine, closing(public_security.client()) as client:
        report = ingest_incrementally(
            engine=engine,
            run=LoadRun(context.run.run_id),
            stream=HOUSEHOLDS,
            config=config,
            fetch=lambda since: client.iter_households(updated_since=since),
        )
    return materialization(report)


@asset(group_name="public_security", pool="public_security", deps=[grid_registry], retry_policy=SOURCE_RETRY)
def public_security_incidents(
    context: AssetExecutionContext,
    config: IngestConfig,
    public_security: PublicSecurityResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    """Police incidents (警情) and public-order/criminal cases, with their parties."""
    with warehouse.engine() as engine, closing(public_security.client()) as client:
        report = ingest_incrementally(
            engine=engine,
            run=LoadRun(context.run.run_id),
            stream=INCIDENTS,
            config=config,
            fetch=lambda since: client.iter_incidents(updated_since=since),
        )
    return materialization(report)
