"""Reading grids, micro-grids and their workers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.warehouse.grids.models import Grid, GridWorker
from hub.warehouse.scope import scoped
from hub.warehouse.viewer import Viewer


@dataclass(frozen=True, slots=True)
class GridRow:
    id: int
    code: str
    name: str
    level: str
    division_id: int
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class GridWorkerRow:
    id: int
    worker_no: str
    name: str
    phone: str | None
    grid_id: int


def _grid_row(g: Grid) -> GridRow:
    return GridRow(
        id=g.id, code=g.code, name=g.name, level=g.level, division_id=g.division_id, parent_id=g.parent_id
    )


def get_grids(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, GridRow]:
    """The grids with these ids that the viewer may see."""
    statement = scoped(select(Grid).where(Grid.id.in_(ids)), viewer, Grid.id)
    return {g.id: _grid_row(g) for g in session.scalars(statement)}


def get_grid_by_code(*, session: Session, viewer: Viewer, code: str) -> GridRow | None:
    """The grid with this code, if it exists and the viewer may see it."""
    statement = scoped(select(Grid).where(Grid.code == code), viewer, Grid.id)
    grid = session.scalars(statement).one_or_none()
    return _grid_row(grid) if grid else None


def children_of_grids(
    *, session: Session, viewer: Viewer, grid_ids: Sequence[int]
) -> dict[int, list[GridRow]]:
    """Each grid's micro-grids, in code order."""
    statement = scoped(select(Grid).where(Grid.parent_id.in_(grid_ids)), viewer, Grid.id).order_by(Grid.code)
    found: dict[int, list[GridRow]] = {id_: [] for id_ in grid_ids}
    for g in session.scalars(statement):
        assert g.parent_id is not None
        found[g.parent_id].append(_grid_row(g))
    return found


def workers_of_grids(*, session: Session, grid_ids: Sequence[int]) -> dict[int, list[GridWorkerRow]]:
    """The workers responsible for each grid."""
    statement = select(GridWorker).where(GridWorker.grid_id.in_(grid_ids)).order_by(GridWorker.worker_no)
    found: dict[int, list[GridWorkerRow]] = {id_: [] for id_ in grid_ids}
    for w in session.scalars(statement):
        found[w.grid_id].append(
            GridWorkerRow(id=w.id, worker_no=w.worker_no, name=w.name, phone=w.phone, grid_id=w.grid_id)
        )
    return found
