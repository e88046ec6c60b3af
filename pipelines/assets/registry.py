"""综治中心 grid registry: divisions, grids, workers and address rules, the hub's master data."""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine

from hub.sources.canonical import Department
from hub.sources.registry import mapping, records
from hub.sources.registry.client import RegistryRead
from hub.warehouse.divisions.loading import load_divisions
from hub.warehouse.grids.loading import load_grid_addresses, load_grid_workers, load_grids
from hub.warehouse.provenance import LoadRun
from pipelines.assets.common import IngestConfig, source_assets, stage_incrementally
from pipelines.ingest import StageReport, Stream

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


# How far before the registry's clock at the start of a read the next read starts: entries the
# registry wrote just before that moment but committed after the read passed them are read again
# (and found unchanged), never missed.
RESUME_OVERLAP = dt.timedelta(minutes=10)


def _resume_from(read: Iterable[Any]) -> dt.datetime | None:
    started = read.started_at if isinstance(read, RegistryRead) else None
    return started - RESUME_OVERLAP if started is not None else None


def _read_registry(client: Any, engine: Engine, run: LoadRun, config: IngestConfig) -> list[StageReport]:
    """Each table read since its watermark, which comes from the registry's own clock (its entries
    carry no change time): a daily run reads the few entries that changed, not 366,000 addresses."""
    reads: list[tuple[Stream[Any, Any], Callable[[dt.datetime | None], Iterable[Any]]]] = [
        (DIVISIONS, client.iter_divisions),
        (GRIDS, client.iter_grids),
        (GRID_WORKERS, client.iter_grid_workers),
        (ADDRESSES, client.iter_addresses),
    ]
    return [
        stage_incrementally(
            engine=engine, run=run, stream=stream, config=config, fetch=fetch, resume_from=_resume_from
        )
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
