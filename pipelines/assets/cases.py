"""Cross-department case links, resolved once every department's cases are in."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from hub.db.engine import transaction
from hub.warehouse.cases.loading import resolve_case_links
from hub.warehouse.provenance import LoadRun
from pipelines.assets.civil_affairs import civil_affairs_assistance
from pipelines.assets.justice import justice_mediation_cases
from pipelines.assets.petitions import petitions_feed
from pipelines.assets.public_security import public_security_incidents
from pipelines.resources import WarehouseResource


@asset(
    group_name="cases",
    deps=[
        public_security_incidents.publish,
        civil_affairs_assistance.publish,
        justice_mediation_cases.publish,
        petitions_feed.publish,
    ],
)
def case_links(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult[None]:
    """Point each case's references (a petition referred to mediation …) at the case they name."""
    with warehouse.engine() as engine, transaction(engine) as session:
        resolved = resolve_case_links(session=session, run=LoadRun(context.run.run_id))
    return MaterializeResult(metadata={"links_resolved": resolved})
