"""Grid: a governance cell with its division, parent, micro-grids, workers and households."""

from __future__ import annotations

import strawberry

from hub.api.context import Info, run_service
from hub.api.ids import from_cursor, to_global_id
from hub.api.masking import mask_name, mask_phone, sees_unmasked
from hub.api.types.household import Household
from hub.api.types.node import Connection, Node
from hub.warehouse.divisions.service import DivisionRow
from hub.warehouse.grids.service import GridRow, GridWorkerRow
from hub.warehouse.households.service import HouseholdFilter, list_households


@strawberry.type(description="行政区划: an administrative division (12-digit 统计用区划代码).")
class Division(Node):
    code: str
    name: str
    level: str

    @classmethod
    def from_row(cls, row: DivisionRow) -> Division:
        return cls(
            id=strawberry.ID(to_global_id("Division", row.id)), code=row.code, name=row.name, level=row.level
        )


@strawberry.type(description="网格员: the person responsible for a grid.")
class GridWorker:
    worker_no: str
    name: str
    phone: str | None

    @classmethod
    def from_row(cls, row: GridWorkerRow, info: Info) -> GridWorker:
        unmasked = sees_unmasked(info.context.viewer)
        return cls(
            worker_no=row.worker_no,
            name=row.name if unmasked else mask_name(row.name),
            phone=row.phone if unmasked or row.phone is None else mask_phone(row.phone),
        )


@strawberry.type(description="网格 / 微网格: a grid (15-digit code) or micro-grid (17-digit code).")
class Grid(Node):
    code: str
    name: str
    level: str = strawberry.field(description="grid or micro")
    row_id: strawberry.Private[int]
    division_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: GridRow) -> Grid:
        return cls(
            id=strawberry.ID(to_global_id("Grid", row.id)),
            code=row.code,
            name=row.name,
            level=row.level,
            row_id=row.id,
            division_id=row.division_id,
            parent_id=row.parent_id,
        )

    @strawberry.field(description="The village or community the grid belongs to")
    async def division(self, info: Info) -> Division | None:
        row = await info.context.loaders.division.load(self.division_id)
        return Division.from_row(row) if row else None

    @strawberry.field
    async def parent(self, info: Info) -> Grid | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.grid.load(self.parent_id)
        return Grid.from_row(row) if row else None

    @strawberry.field(description="Micro-grids of this grid")
    async def children(self, info: Info) -> list[Grid]:
        return [Grid.from_row(r) for r in await info.context.loaders.children_by_grid.load(self.row_id)]

    @strawberry.field
    async def workers(self, info: Info) -> list[GridWorker]:
        rows = await info.context.loaders.workers_by_grid.load(self.row_id)
        return [GridWorker.from_row(r, info) for r in rows]

    @strawberry.field(description="Households in this grid and its micro-grids")
    async def households(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Household]:
        page = await run_service(
            info,
            list_households,
            viewer=info.context.viewer,
            where=HouseholdFilter(grid_code=self.code),
            after=from_cursor(after),
            first=first,
        )
        return Connection[Household].from_page(page, Household.from_row, lambda r: r.id)
