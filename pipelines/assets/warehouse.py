"""Housekeeping once a run's loads are done."""

from dagster import MaterializeResult, asset

from hub.db.maintenance import refresh_statistics
from pipelines.assets.cases import case_links
from pipelines.assets.persons import person_resolution
from pipelines.resources import WarehouseResource


@asset(group_name="warehouse", deps=[person_resolution, case_links])
def warehouse_statistics(warehouse: WarehouseResource) -> MaterializeResult[None]:
    """Refresh the planner's statistics after the loads (ANALYZE), so reads stay on their indexes."""
    with warehouse.engine() as engine:
        analysed = refresh_statistics(engine)
    return MaterializeResult(
        metadata={"tables_analysed": len(analysed), "analysed": ", ".join(analysed) or "none"}
    )
