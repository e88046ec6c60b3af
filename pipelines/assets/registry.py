"""综治中心 grid registry: divisions, grids, workers and address rules, the hub's master data."""

from collections.abc import Callable, Iterable
from contextlib import closing
from typing import Any

from dagster import AssetExecutionContext, MaterializeResult, asset

from hub.sources.canonical import Department
from hub.sources.registry import mapping, records
from hub.warehouse.divisions.loading import load_divisions
from hub.warehouse.grids.loading import load_grid_addresses, load_grid_workers, load_grids
from hub.warehouse.provenance import LoadRun
from pipelines.assets.common import SOURCE_RETRY, IngestConfig, materialization
from pipelines.ingest import Stream, ingest
from pipelines.resources import RegistryResource, WarehouseResource

DIVISIONS = Stream(
    Department.REGISTRY,
    "divisions",
    records.division_id,
    mapping.map_division,
    load_divisions,
    payload_type=records.DivisionPayload,
)
GRIDS = Stream(
    Department.REGISTRY,
    "grids",
    records.grid_id,
    mapping.map_grid,
    load_grids,
    payload_type=records.GridPayload,
)
GRID_WORKERS = Stream(
    Department.REGISTRY,
    "grid_workers",
    records.grid_worker_id,
    mapping.map_grid_worker,
    load_grid_workers,
    payload_type=records.GridWorkerPayload,
)
ADDRESSES = Stream(
    Department.REGISTRY,
    "addresses",
    records.address_id,
    mapping.map_address,
    load_grid_addresses,
    payload_type=records.AddressPayload,
)


@asset(
    group_name="registry",
    pool="registry",
    retry_policy=SOURCE_RETRY,
    description="Divisions, grids, workers, address → grid",
)
def grid_registry(
    context: AssetExecutionContext,
    config: IngestConfig,
    registry: RegistryResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    run = LoadRun(run_id=context.run.run_id)
    with warehouse.engine() as engine, closing(registry.client()) as client:
        # Parents before children: grids need their divisions, workers and addresses their grids.
        reads: list[tuple[Stream[Any, Any], Callable[[], Iterable[Any]]]] = [
            (DIVISIONS, client.iter_divisions),
            (GRIDS, client.iter_grids),
            (GRID_WORKERS, client.iter_grid_workers),
            (ADDRESSES, client.iter_addresses),
        ]
        reports = [
            ingest(engine=engine, run=run, stream=stream, payloads=fetch(), full_reload=config.full_reload)
            for stream, fetch in reads
        ]
    return materialization(*reports)
