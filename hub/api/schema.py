"""The GraphQL schema: entry points to the household, grid, case and person views, and the audit."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from hub.api.audit import AccessAudit
from hub.api.context import Info, run_service
from hub.api.database import OperationSession
from hub.api.eager import eager
from hub.api.errors import CodedSchema, ErrorCodes, MaskedErrorCodes
from hub.api.execution import HubExecutionContext, call_resolvers_directly
from hub.api.ids import from_cursor, from_global_id, to_global_id
from hub.api.limits import limit_extensions
from hub.api.loaders import load_batch
from hub.api.masking import sees_unmasked
from hub.api.prefetch import CONNECTION_NODES, prefetch
from hub.api.types.case import Case
from hub.api.types.enums import Department, GridLevel, Role
from hub.api.types.filters import CaseFilterInput, HouseholdFilterInput, PersonFilterInput, check_code_prefix
from hub.api.types.grid import Division, Grid
from hub.api.types.household import Household
from hub.api.types.labels import local_time
from hub.api.types.node import Connection, Node
from hub.api.types.person import Person
from hub.api.types.quality import QualityRun, QualityRunDetail, QuarantinedRecord, QuarantineFilterInput
from hub.errors import InvalidInput
from hub.quality.service import (
    QuarantineFilter,
    get_quality_run_row,
    page_quality_runs,
    page_quarantined,
    read_quality_run,
)
from hub.warehouse.access.service import AccessRow, list_access
from hub.warehouse.cases.service import CaseFilter, list_cases
from hub.warehouse.grids.service import get_grid_by_code, list_grids
from hub.warehouse.households.service import HouseholdFilter, list_households
from hub.warehouse.pagination import MAX_PAGE_SIZE
from hub.warehouse.persons.service import PersonFilter, list_persons


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
        return Case.from_row(case, info) if case else None
    if type_name == "Grid":
        grid = await loaders.grid.load(id_)
        return Grid.from_row(grid) if grid else None
    if type_name == "Division":
        division = await loaders.division.load(id_)
        return Division.from_row(division) if division else None
    if type_name == "QualityRun":
        run = await run_service(info, get_quality_run_row, viewer=info.context.viewer, dq_run_id=id_)
        return QualityRun.from_row(run) if run else None
    raise InvalidInput(f"{global_id!r} names an unknown type {type_name!r}")


@strawberry.type(description="Who you are to the hub, and what you may see.")
class Viewer:
    user_id: str
    role: Role
    scope_codes: list[str] = strawberry.field(
        description="Division or grid code prefixes; empty = whole county"
    )
    department: Department | None
    sees_unmasked: bool = strawberry.field(description="Whether names and ID numbers are shown in full")
    reads_access_log: bool


@strawberry.type(description="访问日志: one person read by one request (append-only).")
class AccessLogEntry:
    request_id: str
    at: dt.datetime
    user_id: str
    role: Role
    operation: str
    query_digest: str = strawberry.field(description="SHA-256 of the query text")
    person_id: strawberry.ID = strawberry.field(description="Global ID of the person read")
    unmasked: bool

    @classmethod
    def from_row(cls, row: AccessRow) -> AccessLogEntry:
        at = local_time(row.at)
        assert at is not None
        return cls(
            request_id=row.request_id,
            at=at,
            user_id=row.user_id,
            role=Role(row.role),
            operation=row.operation,
            query_digest=row.query_digest,
            person_id=strawberry.ID(to_global_id("Person", row.person_id)),
            unmasked=row.unmasked,
        )


@strawberry.type
class Query:
    """The entry points.

    The views' entry points are `eager` and read their own row with `load_batch`: once prefetch has
    loaded the selection, the whole operation then runs in its own task, without a Task for the root
    field or a scheduled loader batch (measured on the benchmark's case view: 6.7 % less CPU). Two
    such entry points in one operation read their rows in a statement each; `nodes(ids)` reads many
    objects in one.
    """

    @strawberry.field(description="Any object by its global ID; null when absent or out of your scope")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _node(info, id)

    @strawberry.field(description="Objects by global ID (1–100), in the order asked; null where absent")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if not 1 <= len(ids) <= MAX_PAGE_SIZE:
            raise InvalidInput(f"ids must hold 1 to {MAX_PAGE_SIZE} IDs, got {len(ids)}")
        # Together, so that the IDs of one type share a loader batch instead of a statement each.
        return list(await asyncio.gather(*(_node(info, id_) for id_ in ids)))

    @strawberry.field(description="The caller: role, scope and what it grants")
    def me(self, info: Info) -> Viewer:
        viewer = info.context.viewer
        return Viewer(
            user_id=viewer.user_id,
            role=viewer.role,
            scope_codes=list(viewer.scope_codes),
            department=Department(viewer.department) if viewer.department in set(Department) else None,
            sees_unmasked=sees_unmasked(viewer),
            reads_access_log=viewer.reads_access_log,
        )

    @strawberry.field(description="One household's cross-department view")
    @eager
    async def household(self, info: Info, id: strawberry.ID) -> Household | None:
        _, row_id = from_global_id(id, expected="Household")
        (row,) = await load_batch(info.context.loaders.household, [row_id])
        if row is None:
            return None
        await prefetch(info, "Household", [row])
        return Household.from_row(row)

    @strawberry.field(
        description="Households you may see, matching the filter, in a stable order, 1–100 a page"
    )
    @eager
    async def households(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: HouseholdFilterInput | None = None,
    ) -> Connection[Household]:
        page = await run_service(
            info,
            list_households,
            viewer=info.context.viewer,
            where=filter.to_filter() if filter else HouseholdFilter(),
            today=info.context.today,
            after=from_cursor(after),
            first=first,
        )
        await prefetch(info, "Household", page.items, within=CONNECTION_NODES)
        return Connection[Household].from_page(page, Household.from_row, lambda r: r.id)

    @strawberry.field(description="One person's view; identity masked unless your role may see it")
    @eager
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        _, row_id = from_global_id(id, expected="Person")
        (row,) = await load_batch(info.context.loaders.person, [row_id])
        if row is None:
            return None
        await prefetch(info, "Person", [row])
        return Person.from_row(row, info)

    @strawberry.field(description="Persons you may see, matching the filter, 1–100 a page")
    @eager
    async def persons(
        self, info: Info, first: int = 20, after: str | None = None, filter: PersonFilterInput | None = None
    ) -> Connection[Person]:
        page = await run_service(
            info,
            list_persons,
            viewer=info.context.viewer,
            where=filter.to_filter() if filter else PersonFilter(),
            today=info.context.today,
            after=from_cursor(after),
            first=first,
        )
        await prefetch(info, "Person", page.items, within=CONNECTION_NODES)
        return Connection[Person].from_page(page, lambda r: Person.from_row(r, info), lambda r: r.id)

    @strawberry.field(description="A grid or micro-grid by its 15- or 17-digit code")
    @eager
    async def grid(self, info: Info, code: str) -> Grid | None:
        if not (code.isdigit() and len(code) in (15, 17)):
            raise InvalidInput(f"grid code must be 15 or 17 digits, got {code!r}")
        row = await run_service(info, get_grid_by_code, viewer=info.context.viewer, code=code)
        if row is None:
            return None
        await prefetch(info, "Grid", [row])
        return Grid.from_row(row)

    @strawberry.field(
        description="Grids you may see under `parent` (a division or grid code, itself excluded), "
        "optionally of one level, 1–100 a page"
    )
    @eager
    async def grids(
        self,
        info: Info,
        parent: str | None = None,
        level: GridLevel | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Grid]:
        page = await run_service(
            info,
            list_grids,
            viewer=info.context.viewer,
            within=check_code_prefix(parent, argument="parent"),
            level=level.value if level else None,
            after=from_cursor(after),
            first=first,
        )
        await prefetch(info, "Grid", page.items, within=CONNECTION_NODES)
        return Connection[Grid].from_page(page, Grid.from_row, lambda r: r.id)

    @strawberry.field(description="One case from any department")
    @eager
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        _, row_id = from_global_id(id, expected="Case")
        (row,) = await load_batch(info.context.loaders.case, [row_id])
        if row is None:
            return None
        await prefetch(info, "Case", [row])
        return Case.from_row(row, info)

    @strawberry.field(description="Cases you may see, matching the filter, 1–100 a page")
    @eager
    async def cases(
        self, info: Info, first: int = 20, after: str | None = None, filter: CaseFilterInput | None = None
    ) -> Connection[Case]:
        page = await run_service(
            info,
            list_cases,
            viewer=info.context.viewer,
            where=filter.to_filter() if filter else CaseFilter(),
            today=info.context.today,
            after=from_cursor(after),
            first=first,
        )
        await prefetch(info, "Case", page.items, within=CONNECTION_NODES)
        return Connection[Case].from_page(page, lambda r: Case.from_row(r, info), lambda r: r.id)

    @strawberry.field(description="The access log, oldest first (auditors and administrators only)")
    async def access_log(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        person_id: strawberry.ID | None = None,
        user_id: str | None = None,
    ) -> Connection[AccessLogEntry]:
        person = from_global_id(person_id, expected="Person")[1] if person_id is not None else None
        page = await run_service(
            info,
            list_access,
            viewer=info.context.viewer,
            person_id=person,
            user_id=user_id,
            after=from_cursor(after),
            first=first,
        )
        return Connection[AccessLogEntry].from_page(page, AccessLogEntry.from_row, lambda r: r.position)

    @strawberry.field(
        description="Data-quality runs, newest first, 1–100 a page (auditors and administrators only)"
    )
    async def quality_runs(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[QualityRun]:
        page = await run_service(
            info, page_quality_runs, viewer=info.context.viewer, after=from_cursor(after), first=first
        )
        return Connection[QualityRun].from_page(page, QualityRun.from_row, lambda r: r.id)

    @strawberry.field(
        description="One data-quality run in full, the latest when no id is given "
        "(auditors and administrators only)"
    )
    async def quality_run(self, info: Info, id: strawberry.ID | None = None) -> QualityRunDetail | None:
        run_id = from_global_id(id, expected="QualityRun")[1] if id is not None else None
        detail = await run_service(info, read_quality_run, viewer=info.context.viewer, dq_run_id=run_id)
        return QualityRunDetail.from_row(detail) if detail else None

    @strawberry.field(
        description="Source records the pipelines quarantined, masked, oldest first, 1–100 a page "
        "(auditors and administrators only)"
    )
    async def quarantined_records(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: QuarantineFilterInput | None = None,
    ) -> Connection[QuarantinedRecord]:
        page = await run_service(
            info,
            page_quarantined,
            viewer=info.context.viewer,
            where=filter.to_filter() if filter else QuarantineFilter(),
            after=from_cursor(after),
            first=first,
        )
        return Connection[QuarantinedRecord].from_page(page, QuarantinedRecord.from_row, lambda r: r.id)


def build_schema(*, production: bool) -> strawberry.Schema:
    """The schema with its limits; production masks internal errors and hides field suggestions."""
    extensions: list[Any] = [
        *limit_extensions(production=production),
        MaskedErrorCodes if production else ErrorCodes,
        # Before the audit, so that the audit writes on the operation's session before it is closed.
        OperationSession,
        AccessAudit,
    ]
    schema = CodedSchema(
        query=Query,
        types=[Household, Person, Grid, Case, Division, QualityRun],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
        execution_context_class=HubExecutionContext,
    )
    call_resolvers_directly(schema)
    return schema
