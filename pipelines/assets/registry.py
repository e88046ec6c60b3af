"""综治中心 grid registry: divisions, grids, workers and address rules, the hub's master data."""

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine

from hub.sources.canonical import Department
from hub.sources.registry import mapping, records
from hub.warehouse.divisions.loading import load_divisions
from hub.warehouse.grids.loading import load_grid_addresses, load_grid_workers, load_grids
from hub.warehouse.provenance import LoadRun
from pipelines.assets.common import IngestConfig, source_assets
from pipelines.ingest import StageReport, Stream, stage

DIVISIONS = Stream(
    Department.REGISTRY,
    "divisions",
    records.division_id,
    mapping.map_division,
    load_divisions,
    payload_type=records.DivisionPayload,
    in_order=True,  # parents before children
)
GRIDS = Stream(
    Department.REGISTRY,
    "grids",
    records.grid_id,
    mapping.map_grid,
    load_grids,
    payload_type=records.GridPayload,
    in_order=True,  # parents before children
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


def _read_registry(client: Any, engine: Engine, run: LoadRun, config: IngestConfig) -> list[StageReport]:
    """The registry serves whole tables (no change filter): every read stages what changed."""
    reads: list[tuple[Stream[Any, Any], Callable[[], Iterable[Any]]]] = [
        (DIVISIONS, client.iter_divisions),
        (GRIDS, client.iter_grids),
        (GRID_WORKERS, client.iter_grid_workers),
        (ADDRESSES, client.iter_addresses),
    ]
    return [
        stage(engine=engine, run=run, stream=stream, payloads=fetch(), full_reload=config.full_reload)
        for stream, fetch in reads
    ]


grid_registry = source_assets(
    name="grid_registry",
    resource="registry",
    # Parents before children: grids need their divisions, workers and addresses their grids.
    streams=[DIVISIONS, GRIDS, GRID_WORKERS, ADDRESSES],
    read=_read_registry,
    description="Divisions, grids, workers, address → grid",
    critical_path=True,
)
