"""Case: one department's case on the unified lifecycle, with parties, links and timeline."""

from __future__ import annotations

import datetime as dt

import strawberry

from hub.api.context import Info
from hub.api.eager import eager
from hub.api.loaders import load_all
from hub.api.types.enums import (
    CaseKind,
    CaseStatus,
    Department,
    PartyRole,
    ResolutionLevel,
    Satisfaction,
    as_case_kind,
    as_case_status,
    as_department,
    as_party_role,
    as_resolution_level,
    as_satisfaction,
)
from hub.api.types.grid import Grid
from hub.api.types.labels import LIFECYCLE_LABELS, label, local_time
from hub.api.types.node import Node, present
from hub.api.types.person import Person
from hub.warehouse.cases.service import CaseRow, EventRow, LinkRow, PartyRow, is_open, is_overdue


@strawberry.type(description="A person's part in a case (reporter, respondent, applicant, petitioner …).")
class CaseParty:
    role: PartyRole
    person_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: PartyRow) -> CaseParty:
        return cls(role=as_party_role(row.role), person_id=row.person_id)

    @strawberry.field
    @eager
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
    @eager
    async def from_case(self, info: Info) -> Case | None:
        row = await info.context.loaders.case.load(self.from_case_id)
        return Case.from_row(row, info) if row else None

    @strawberry.field(description="The case referred to, once it is in the warehouse and visible")
    @eager
    async def target(self, info: Info) -> Case | None:
        if self.target_case_id is None:
            return None
        row = await info.context.loaders.case.load(self.target_case_id)
        return Case.from_row(row, info) if row else None


@strawberry.type(description="A step of a case's lifecycle: 受理 → 分流 → 办理 → 办结 → 回访.")
class CaseEvent:
    at: dt.datetime
    status: CaseStatus
    note: str | None

    @classmethod
    def from_row(cls, row: EventRow) -> CaseEvent:
        at = local_time(row.at)
        assert at is not None
        return cls(at=at, status=as_case_status(row.status), note=row.note)

    @strawberry.field
    def status_label(self) -> str | None:
        return LIFECYCLE_LABELS.get(self.status.value)


@strawberry.type(description="案件: a case from any department, on the unified lifecycle.")
class Case(Node):
    case_no: str
    department: Department
    kind: CaseKind
    category: str
    status: CaseStatus
    resolution_level: ResolutionLevel | None = strawberry.field(description="Where it was settled")
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    deadline: dt.date | None = strawberry.field(description="Reply due (信访: 60 days from receipt)")
    is_open: bool = strawberry.field(description="Received, assigned or in progress")
    overdue: bool = strawberry.field(description="Open past its deadline (China Standard Time)")
    address: str | None
    summary: str | None
    satisfaction: Satisfaction | None = strawberry.field(description="The petitioner's evaluation (回访)")
    grid_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: CaseRow, info: Info) -> Case:
        opened_at = local_time(row.opened_at)
        assert opened_at is not None
        return cls(
            case_no=row.case_no,
            department=as_department(row.department),
            kind=as_case_kind(row.kind),
            category=row.category,
            status=as_case_status(row.status),
            resolution_level=as_resolution_level(row.resolution_level) if row.resolution_level else None,
            opened_at=opened_at,
            closed_at=local_time(row.closed_at),
            deadline=row.deadline,
            is_open=is_open(row.status),
            overdue=is_overdue(status=row.status, deadline=row.deadline, today=info.context.today),
            address=row.address,
            summary=row.summary,
            satisfaction=as_satisfaction(row.satisfaction) if row.satisfaction else None,
            row_id=row.id,
            grid_id=row.grid_id,
        )

    # Labels are derived when asked for: a page of cases rarely shows them.
    @strawberry.field
    def department_label(self) -> str | None:
        return label("departments", self.department.value)

    @strawberry.field
    def status_label(self) -> str | None:
        return LIFECYCLE_LABELS.get(self.status.value)

    @strawberry.field
    @eager
    async def grid(self, info: Info) -> Grid | None:
        if self.grid_id is None:
            return None
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.from_row(row) if row else None

    @strawberry.field(description="Everyone involved, with their role")
    @eager
    async def parties(self, info: Info) -> list[CaseParty]:
        return [CaseParty.from_row(r) for r in await info.context.loaders.parties_by_case.load(self.row_id)]

    @strawberry.field(description="Links to and from cases of other departments")
    @eager
    async def links(self, info: Info) -> list[CaseLink]:
        return [CaseLink.from_row(r) for r in await info.context.loaders.links_by_case.load(self.row_id)]

    @strawberry.field(description="The cases at the other end of this case's links that you may see")
    @eager
    async def linked_cases(self, info: Info) -> list[Case]:
        loaders = info.context.loaders
        links = await loaders.links_by_case.load(self.row_id)
        others = [link.target_case_id if link.case_id == self.row_id else link.case_id for link in links]
        ids = list(dict.fromkeys(id_ for id_ in others if id_ is not None and id_ != self.row_id))
        return [Case.from_row(r, info) for r in present(await load_all(loaders.case, ids))]

    @strawberry.field(description="The case's timeline, oldest first")
    @eager
    async def events(self, info: Info) -> list[CaseEvent]:
        return [CaseEvent.from_row(r) for r in await info.context.loaders.events_by_case.load(self.row_id)]
