"""Case: one department's case on the unified lifecycle, with parties, links and timeline."""

from __future__ import annotations

import datetime as dt

import strawberry

from hub.api.context import Info
from hub.api.ids import to_global_id
from hub.api.types.grid import Grid
from hub.api.types.labels import label, local_time
from hub.api.types.node import Node
from hub.api.types.person import Person
from hub.warehouse.cases.service import CaseRow, EventRow, LinkRow, PartyRow


@strawberry.type(description="A person's part in a case (reporter, respondent, applicant, petitioner …).")
class CaseParty:
    role: str
    person_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: PartyRow) -> CaseParty:
        return cls(role=row.role, person_id=row.person_id)

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        row = await info.context.loaders.person.load(self.person_id)
        return Person.from_row(row, info) if row else None


@strawberry.type(
    description="A link between cases of different departments (a petition referred to mediation …)."
)
class CaseLink:
    relation: str
    target_case_no: str
    from_case_id: strawberry.Private[int]
    target_case_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: LinkRow) -> CaseLink:
        return cls(
            relation=row.relation,
            target_case_no=row.target_case_no,
            from_case_id=row.case_id,
            target_case_id=row.target_case_id,
        )

    @strawberry.field(description="The case that holds the reference")
    async def from_case(self, info: Info) -> Case | None:
        row = await info.context.loaders.case.load(self.from_case_id)
        return Case.from_row(row) if row else None

    @strawberry.field(description="The case referred to, once it is in the warehouse and visible")
    async def target(self, info: Info) -> Case | None:
        if self.target_case_id is None:
            return None
        row = await info.context.loaders.case.load(self.target_case_id)
        return Case.from_row(row) if row else None


@strawberry.type(description="A step of a case's lifecycle: 受理 → 分流 → 办理 → 办结 → 回访.")
class CaseEvent:
    at: dt.datetime
    status: str
    note: str | None

    @classmethod
    def from_row(cls, row: EventRow) -> CaseEvent:
        at = local_time(row.at)
        assert at is not None
        return cls(at=at, status=row.status, note=row.note)


@strawberry.type(description="案件: a case from any department, on the unified lifecycle.")
class Case(Node):
    case_no: str
    department: str
    department_label: str | None
    kind: str = strawberry.field(
        description="dispute, incident, public_order, criminal, petition or assistance"
    )
    category: str
    status: str = strawberry.field(description="received, assigned, in_progress, resolved or followed_up")
    resolution_level: str | None = strawberry.field(description="Where it was settled: village … above")
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    deadline: dt.date | None
    summary: str | None
    satisfaction: str | None
    row_id: strawberry.Private[int]
    grid_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: CaseRow) -> Case:
        opened_at = local_time(row.opened_at)
        assert opened_at is not None
        return cls(
            id=strawberry.ID(to_global_id("Case", row.id)),
            case_no=row.case_no,
            department=row.department,
            department_label=label("departments", row.department),
            kind=row.kind,
            category=row.category,
            status=row.status,
            resolution_level=row.resolution_level,
            opened_at=opened_at,
            closed_at=local_time(row.closed_at),
            deadline=row.deadline,
            summary=row.summary,
            satisfaction=row.satisfaction,
            row_id=row.id,
            grid_id=row.grid_id,
        )

    @strawberry.field
    async def grid(self, info: Info) -> Grid | None:
        if self.grid_id is None:
            return None
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.from_row(row) if row else None

    @strawberry.field
    async def parties(self, info: Info) -> list[CaseParty]:
        return [CaseParty.from_row(r) for r in await info.context.loaders.parties_by_case.load(self.row_id)]

    @strawberry.field(description="Links to and from cases of other departments")
    async def links(self, info: Info) -> list[CaseLink]:
        return [CaseLink.from_row(r) for r in await info.context.loaders.links_by_case.load(self.row_id)]

    @strawberry.field(description="The case's timeline, oldest first")
    async def events(self, info: Info) -> list[CaseEvent]:
        return [CaseEvent.from_row(r) for r in await info.context.loaders.events_by_case.load(self.row_id)]
