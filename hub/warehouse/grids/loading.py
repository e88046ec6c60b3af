"""Loading the grid registry: grids, micro-grids, workers and address → grid rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.upsert import batched, ids_by_key, key_in, upsert
from hub.resolution.addresses import normalise_address
from hub.sources.canonical import AddressGridRecord, GridRecord, GridWorkerRecord
from hub.warehouse.divisions.loading import division_ids
from hub.warehouse.grids.models import Grid, GridAddress, GridWorker
from hub.warehouse.provenance import LoadResult, LoadRun, Rejection, with_provenance


def grid_ids(*, session: Session, codes: Sequence[str]) -> dict[str, int]:
    """Surrogate ids of the grids with these codes (unknown codes are left out)."""
    return {code: id_ for (code,), id_ in ids_by_key(session, Grid, ("code",), ((c,) for c in codes)).items()}


def load_grids(*, session: Session, records: Sequence[GridRecord], run: LoadRun) -> LoadResult:
    """Upsert grids, then micro-grids under them; a grid in an unknown division is rejected."""
    divisions = division_ids(session=session, codes=[r.division_code for r in records])
    rejected: list[Rejection] = []
    written = 0
    for level in ("grid", "micro"):
        batch = [r for r in records if r.level == level]
        parents = grid_ids(session=session, codes=[r.parent_code for r in batch if r.parent_code])
        rows = []
        for record in batch:
            division_id = divisions.get(record.division_code)
            parent_id = parents.get(record.parent_code) if record.parent_code else None
            if division_id is None:
                rejected.append(_unknown(record, "grid.division_known", f"division {record.division_code}"))
                continue
            if record.parent_code and parent_id is None:
                rejected.append(_unknown(record, "grid.parent_known", f"parent grid {record.parent_code}"))
                continue
            content = {
                "code": record.code,
                "name": record.name,
                "level": record.level,
                "division_id": division_id,
                "parent_id": parent_id,
            }
            rows.append(with_provenance(content, source=record.source, run=run))
        written += upsert(session, Grid, rows, key=("code",))
    return LoadResult(received=len(records), written_by_table={"grids": written}, rejected=tuple(rejected))


def load_grid_workers(*, session: Session, records: Sequence[GridWorkerRecord], run: LoadRun) -> LoadResult:
    """Upsert grid workers onto their grids."""
    grids = grid_ids(session=session, codes=[r.grid_code for r in records])
    rows, rejected = [], []
    for record in records:
        grid_id = grids.get(record.grid_code)
        if grid_id is None:
            rejected.append(_unknown(record, "grid_worker.grid_known", f"grid {record.grid_code}"))
            continue
        content = {
            "worker_no": record.worker_no,
            "name": record.name,
            "phone": record.phone,
            "grid_id": grid_id,
        }
        rows.append(with_provenance(content, source=record.source, run=run))
    written = upsert(session, GridWorker, rows, key=("worker_no",))
    return LoadResult(
        received=len(records), written_by_table={"grid_workers": written}, rejected=tuple(rejected)
    )


def load_grid_addresses(
    *, session: Session, records: Sequence[AddressGridRecord], run: LoadRun
) -> LoadResult:
    """Upsert the registry's address → grid rules."""
    grids = grid_ids(session=session, codes=[r.grid_code for r in records])
    rows, rejected = [], []
    for record in records:
        grid_id = grids.get(record.grid_code)
        if grid_id is None:
            rejected.append(_unknown(record, "address.grid_known", f"grid {record.grid_code}"))
            continue
        content = {
            "address": record.address,
            "address_key": normalise_address(record.address),
            "grid_id": grid_id,
        }
        rows.append(with_provenance(content, source=record.source, run=run))
    written = upsert(session, GridAddress, rows, key=("address",))
    return LoadResult(
        received=len(records), written_by_table={"grid_addresses": written}, rejected=tuple(rejected)
    )


def grids_for_addresses(*, session: Session, addresses: Sequence[str]) -> dict[str, int]:
    """The grid the registry places each address in, however the address is written.

    An address whose comparable form the registry places in two grids gets none: a wrong grid
    would show a household to the wrong grid worker.
    """
    keys = {address: normalise_address(address) for address in set(addresses)}
    grids_by_key: dict[str, set[int]] = {}
    for chunk in batched(set(keys.values())):
        statement = select(GridAddress.address_key, GridAddress.grid_id).where(
            key_in(session, GridAddress.address_key, chunk)
        )
        for key, grid_id in session.execute(statement):
            grids_by_key.setdefault(key, set()).add(grid_id)
    return {
        address: next(iter(grids))
        for address, key in keys.items()
        if len(grids := grids_by_key.get(key, set())) == 1
    }


def _unknown(record: GridRecord | GridWorkerRecord | AddressGridRecord, rule: str, what: str) -> Rejection:
    return Rejection(source=record.source, rule=rule, reason=f"{what} is not in the registry")
