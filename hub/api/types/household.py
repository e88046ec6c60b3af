"""Household: the cross-department view of one registered household."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.context import Info
from hub.api.ids import to_global_id
from hub.api.types.labels import label
from hub.api.types.node import Node
from hub.api.types.person import Person, PersonTag
from hub.warehouse.households.service import HouseholdRow, MemberRow

if TYPE_CHECKING:
    from hub.api.types.case import Case
    from hub.api.types.grid import Grid


@strawberry.type(description="A person's membership of a household (公安 household register).")
class HouseholdMember:
    relation: str = strawberry.field(description="GB/T 4761 relation to the head of household")
    relation_label: str | None
    valid_from: dt.date
    person_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: MemberRow) -> HouseholdMember:
        return cls(
            relation=row.relation,
            relation_label=label("family_relation", row.relation),
            valid_from=row.valid_from,
            person_id=row.person_id,
        )

    @strawberry.field
    async def person(self, info: Info) -> Person | None:
        row = await info.context.loaders.person.load(self.person_id)
        return Person.from_row(row, info) if row else None


@strawberry.type(description="户: a registered household with its members, tags and every member's cases.")
class Household(Node):
    hh_no: str = strawberry.field(description="户号 in the household register")
    address: str
    row_id: strawberry.Private[int]
    grid_id: strawberry.Private[int | None]
    head_person_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: HouseholdRow) -> Household:
        return cls(
            id=strawberry.ID(to_global_id("Household", row.id)),
            hh_no=row.hh_no,
            address=row.address,
            row_id=row.id,
            grid_id=row.grid_id,
            head_person_id=row.head_person_id,
        )

    @strawberry.field
    async def grid(self, info: Info) -> Annotated[Grid, strawberry.lazy("hub.api.types.grid")] | None:
        from hub.api.types.grid import Grid

        if self.grid_id is None:
            return None
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.from_row(row) if row else None

    @strawberry.field(description="户主")
    async def head(self, info: Info) -> Person | None:
        if self.head_person_id is None:
            return None
        row = await info.context.loaders.person.load(self.head_person_id)
        return Person.from_row(row, info) if row else None

    @strawberry.field(description="Current members, head first")
    async def members(self, info: Info) -> list[HouseholdMember]:
        rows = await info.context.loaders.members_by_household.load(self.row_id)
        return [HouseholdMember.from_row(r) for r in rows]

    @strawberry.field(description="Every member's tags and benefits, from all departments")
    async def tags(self, info: Info) -> list[PersonTag]:
        loaders = info.context.loaders
        members = await loaders.members_by_household.load(self.row_id)
        tag_lists = await loaders.tags_by_person.load_many([m.person_id for m in members])
        return [PersonTag.from_row(t) for tags in tag_lists for t in tags]

    @strawberry.field(description="Every member's cases from all four departments, newest first")
    async def cases(self, info: Info) -> list[Annotated[Case, strawberry.lazy("hub.api.types.case")]]:
        from hub.api.types.case import Case

        loaders = info.context.loaders
        members = await loaders.members_by_household.load(self.row_id)
        case_lists = await loaders.cases_by_person.load_many([m.person_id for m in members])
        unique = {row.id: row for rows in case_lists for row in rows}
        ordered = sorted(unique.values(), key=lambda r: (r.opened_at, r.id), reverse=True)
        return [Case.from_row(r) for r in ordered]
