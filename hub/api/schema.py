"""The GraphQL schema: entry points to the household, grid, case and person views."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from hub.api.context import Info, run_service
from hub.api.errors import ErrorCodes, MaskedErrorCodes
from hub.api.ids import from_cursor, from_global_id
from hub.api.types.case import Case
from hub.api.types.grid import Division, Grid
from hub.api.types.household import Household
from hub.api.types.node import Connection, Node
from hub.api.types.person import Person
from hub.errors import InvalidInput
from hub.warehouse.cases.service import list_cases
from hub.warehouse.grids.service import get_grid_by_code
from hub.warehouse.households.service import HouseholdFilter, list_households


@strawberry.input(description="Which households to list; every given condition must hold.")
class HouseholdFilterInput:
    grid_code: str | None = strawberry.field(default=None, description="Grid subtree (code prefix)")
    has_tag_from: str | None = strawberry.field(
        default=None, description="A member holds a tag from this department (e.g. civil_affairs)"
    )
    has_case_from: str | None = strawberry.field(
        default=None, description="A member is a party to a case of this department (e.g. justice)"
    )

    def to_filter(self) -> HouseholdFilter:
        return HouseholdFilter(
            grid_code=self.grid_code, has_tag_from=self.has_tag_from, has_case_from=self.has_case_from
        )


async def _node(info: Info, global_id: str) -> Node | None:
    type_name, id_ = from_global_id(global_id)
    loaders = info.context.loaders
    if type_name == "Household":
        household = await loaders.household.load(id_)
        return Household.from_row(household) if household else None
    if type_name == "Person":
        person = await loaders.person.load(id_)
        return Person.from_row(person, info) if person else None
    if type_name == "Case":
        case = await loaders.case.load(id_)
        return Case.from_row(case) if case else None
    if type_name == "Grid":
        grid = await loaders.grid.load(id_)
        return Grid.from_row(grid) if grid else None
    if type_name == "Division":
        division = await loaders.division.load(id_)
        return Division.from_row(division) if division else None
    raise InvalidInput(f"{global_id!r} names an unknown type {type_name!r}")


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null when absent or out of your scope")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

    @strawberry.field(description="One household's cross-department view")
    async def household(self, info: Info, id: strawberry.ID) -> Household | None:
        _, row_id = from_global_id(id, expected="Household")
        row = await info.context.loaders.household.load(row_id)
        return Household.from_row(row) if row else None

    @strawberry.field(description="Households you may see, matching the filter, 1–100 a page")
    async def households(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: HouseholdFilterInput | None = None,
    ) -> Connection[Household]:
        where = filter.to_filter() if filter else HouseholdFilter()
        page = await run_service(
            info,
            list_households,
            viewer=info.context.viewer,
            where=where,
            after=from_cursor(after),
            first=first,
        )
        return Connection[Household].from_page(page, Household.from_row, lambda r: r.id)

    @strawberry.field(description="One person's view; identity masked unless your role may see it")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        _, row_id = from_global_id(id, expected="Person")
        row = await info.context.loaders.person.load(row_id)
        return Person.from_row(row, info) if row else None

    @strawberry.field(description="A grid or micro-grid by its 15- or 17-digit code")
    async def grid(self, info: Info, code: str) -> Grid | None:
        if not (code.isdigit() and len(code) in (15, 17)):
            raise InvalidInput(f"grid code must be 15 or 17 digits, got {code!r}")
        row = await run_service(info, get_grid_by_code, viewer=info.context.viewer, code=code)
        return Grid.from_row(row) if row else None

    @strawberry.field(description="One case from any department")
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        _, row_id = from_global_id(id, expected="Case")
        row = await info.context.loaders.case.load(row_id)
        return Case.from_row(row) if row else None

    @strawberry.field(description="Cases you may see, optionally of one department or kind, 1–100 a page")
    async def cases(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        department: str | None = None,
        kind: str | None = None,
    ) -> Connection[Case]:
        page = await run_service(
            info,
            list_cases,
            viewer=info.context.viewer,
            department=department,
            kind=kind,
            after=from_cursor(after),
            first=first,
        )
        return Connection[Case].from_page(page, Case.from_row, lambda r: r.id)


def build_schema(*, production: bool) -> strawberry.Schema:
    """The schema with its limits; production masks internal errors and hides field suggestions."""
    extensions: list[Any] = [
        lambda: QueryDepthLimiter(max_depth=10),
        lambda: MaxAliasesLimiter(max_alias_count=30),
        lambda: MaxTokensLimiter(max_token_count=2000),
        MaskedErrorCodes if production else ErrorCodes,
    ]
    return strawberry.Schema(
        query=Query,
        types=[Household, Person, Grid, Case, Division],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )
