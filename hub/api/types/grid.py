"""Grid: a governance cell with its division, path, micro-grids, workers, households and statistics."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from hub.api.context import Info, run_service
from hub.api.eager import eager
from hub.api.ids import from_cursor
from hub.api.loaders import load_all
from hub.api.masking import sees_unmasked
from hub.api.prefetch import CONNECTION_NODES, prefetch
from hub.api.types.enums import Department, GridLevel, TagKind, as_department, as_grid_level, as_tag_kind
from hub.api.types.filters import HouseholdFilterInput
from hub.api.types.household import Household
from hub.api.types.labels import label
from hub.api.types.node import Connection, Node, capped, present
from hub.privacy import mask_name, mask_phone
from hub.warehouse.divisions.service import DivisionRow, ancestor_codes
from hub.warehouse.grids.service import GridRow, GridStatisticsRow, GridWorkerRow
from hub.warehouse.households.service import HouseholdFilter, list_households


@strawberry.type(description="行政区划: an administrative division (12-digit 统计用区划代码).")
class Division(Node):
    code: str
    name: str
    level: str = strawberry.field(description="province, city, county, township or village")

    @classmethod
    def from_row(cls, row: DivisionRow) -> Division:
        return cls(row_id=row.id, code=row.code, name=row.name, level=row.level)


@strawberry.type(description="One step of a grid's path, from the province down to the grid itself.")
class PathStep:
    code: str
    name: str
    level: str = strawberry.field(description="province, city, county, township, village, grid or micro")


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


@strawberry.type(description="How many current members of the subtree's households hold a current tag.")
class TagKindCount:
    kind: TagKind
    label: str | None
    persons: int


@strawberry.type(description="A department's open and overdue cases in the subtree.")
class DepartmentCaseCount:
    department: Department
    department_label: str | None
    open: int
    overdue: int


@strawberry.type(description="Counts over a grid and its micro-grids, limited to what you may see.")
class GridStatistics:
    households: int
    persons: int = strawberry.field(description="Current members of those households")
    tags_by_kind: list[TagKindCount]
    cases_by_department: list[DepartmentCaseCount]
    open_cases: int
    overdue_cases: int

    @classmethod
    def from_row(cls, row: GridStatisticsRow) -> GridStatistics:
        return cls(
            households=row.households,
            persons=row.persons,
            tags_by_kind=[
                TagKindCount(kind=as_tag_kind(kind), label=label("tag_kinds", kind), persons=n)
                for kind, n in row.tags_by_kind
            ],
            cases_by_department=[
                DepartmentCaseCount(
                    department=as_department(c.department),
                    department_label=label("departments", c.department),
                    open=c.open,
                    overdue=c.overdue,
                )
                for c in row.cases_by_department
            ],
            open_cases=sum(c.open for c in row.cases_by_department),
            overdue_cases=sum(c.overdue for c in row.cases_by_department),
        )


@strawberry.type(description="网格 / 微网格: a grid (15-digit code) or micro-grid (17-digit code).")
class Grid(Node):
    code: str
    name: str
    level: GridLevel
    division_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: GridRow) -> Grid:
        return cls(
            code=row.code,
            name=row.name,
            level=as_grid_level(row.level),
            row_id=row.id,
            division_id=row.division_id,
            parent_id=row.parent_id,
        )

    @strawberry.field(description="The village or community the grid belongs to")
    @eager
    async def division(self, info: Info) -> Division | None:
        row = await info.context.loaders.division.load(self.division_id)
        return Division.from_row(row) if row else None

    @strawberry.field(description="The grid a micro-grid belongs to (null for a grid, or when out of scope)")
    @eager
    async def parent(self, info: Info) -> Grid | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.grid.load(self.parent_id)
        return Grid.from_row(row) if row else None

    @strawberry.field(
        description="Province, city, county, township, village, grid (and micro-grid): breadcrumbs"
    )
    @eager
    async def path(self, info: Info) -> list[PathStep]:
        loaders = info.context.loaders
        divisions = present(await load_all(loaders.division_by_code, ancestor_codes(self.code)))
        steps = [PathStep(code=d.code, name=d.name, level=d.level) for d in divisions]
        if self.parent_id is not None and (parent := await loaders.grid.load(self.parent_id)) is not None:
            steps.append(PathStep(code=parent.code, name=parent.name, level=parent.level))
        steps.append(PathStep(code=self.code, name=self.name, level=self.level.value))
        return steps

    @strawberry.field(description="Micro-grids of this grid, in code order; at most `first` (1–100)")
    @eager
    async def children(self, info: Info, first: int = 100) -> list[Grid]:
        rows = await info.context.loaders.children_by_grid.load(self.row_id)
        return [Grid.from_row(r) for r in rows[: capped(first)]]

    @strawberry.field(description="网格员 responsible for this grid")
    @eager
    async def workers(self, info: Info) -> list[GridWorker]:
        rows = await info.context.loaders.workers_by_grid.load(self.row_id)
        return [GridWorker.from_row(r, info) for r in rows[: capped(100)]]

    @strawberry.field(
        description="Households in this grid and its micro-grids (the filter's gridCode is ignored)"
    )
    async def households(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: HouseholdFilterInput | None = None,
    ) -> Connection[Household]:
        where = filter.to_filter() if filter else HouseholdFilter()
        where = replace(where, grid_code=self.code)
        page = await run_service(
            info,
            list_households,
            viewer=info.context.viewer,
            where=where,
            today=info.context.today,
            after=from_cursor(after),
            first=first,
        )
        await prefetch(info, "Household", page.items, within=CONNECTION_NODES)
        return Connection[Household].from_page(page, Household.from_row, lambda r: r.id)

    @strawberry.field(description="Households, persons, tags by kind, open and overdue cases by department")
    @eager
    async def statistics(self, info: Info) -> GridStatistics:
        row = await info.context.loaders.statistics_by_grid.load(self.code)
        assert row is not None
        return GridStatistics.from_row(row)
