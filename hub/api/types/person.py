"""Person: identity (masked per role), tags, households, cases and provenance."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.audit import note_person_read
from hub.api.context import Info
from hub.api.eager import eager
from hub.api.loaders import load_all
from hub.api.masking import sees_unmasked
from hub.api.types.enums import Department, TagKind, as_department, as_tag_kind
from hub.api.types.labels import label
from hub.api.types.node import Node, capped, present
from hub.privacy import mask_id_number, mask_name, mask_phone
from hub.warehouse.persons.service import PersonRow, PersonSourceRow
from hub.warehouse.tags.service import TagRow

if TYPE_CHECKING:
    from hub.api.types.case import Case
    from hub.api.types.household import Household


@strawberry.type(description="特殊人群 / 救助: a tag or benefit a department says this person holds.")
class PersonTag:
    kind: TagKind
    department: Department
    sensitivity: int = strawberry.field(description="1 personal, 2 sensitive, 3 highly sensitive (PIPL)")
    valid_from: dt.date | None
    valid_to: dt.date | None
    amount: str | None = strawberry.field(description="Monthly amount of a benefit, yuan")
    person_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: TagRow) -> PersonTag:
        return cls(
            kind=as_tag_kind(row.kind),
            department=as_department(row.department),
            sensitivity=row.sensitivity,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            amount=row.amount,
            person_id=row.person_id,
        )

    @strawberry.field(description="The kind in Chinese (低保 …)")
    def label(self) -> str | None:
        return label("tag_kinds", self.kind.value)

    @strawberry.field(description="Whether the tag holds today (no end date, or one not yet passed)")
    def current(self, info: Info) -> bool:
        return self.valid_to is None or self.valid_to >= info.context.today

    @strawberry.field
    @eager
    async def person(self, info: Info) -> Person | None:
        row = await info.context.loaders.person.load(self.person_id)
        return Person.from_row(row, info) if row else None


@strawberry.type(description="What one source record said about a person: their provenance.")
class PersonSource:
    department: Department
    record_id: str
    name_as_sent: str
    id_number_as_sent: str | None

    @classmethod
    def from_row(cls, row: PersonSourceRow, info: Info) -> PersonSource:
        unmasked = sees_unmasked(info.context.viewer)
        id_number = row.id_number_as_sent
        return cls(
            department=as_department(row.department),
            record_id=row.record_id,
            name_as_sent=row.name_as_sent if unmasked else mask_name(row.name_as_sent),
            id_number_as_sent=id_number if unmasked or id_number is None else mask_id_number(id_number),
        )


@strawberry.type(description="实有人口: one resolved person across every department.")
class Person(Node):
    name: str = strawberry.field(description="Masked (first character) unless the role may see it")
    id_number: str | None = strawberry.field(description="GB 11643 number; masked to 6+4 unless allowed")
    sex: str | None
    ethnicity: str | None
    birth_date: dt.date | None = strawberry.field(description="Hidden unless the role may see it")
    phone: str | None

    @classmethod
    def from_row(cls, row: PersonRow, info: Info) -> Person:
        """The person as this viewer may see them; building one records the read for the access log."""
        note_person_read(info, row.id)
        unmasked = sees_unmasked(info.context.viewer)
        return cls(
            name=row.name if unmasked else mask_name(row.name),
            id_number=row.id_number if unmasked or row.id_number is None else mask_id_number(row.id_number),
            sex=row.sex,
            ethnicity=row.ethnicity,
            birth_date=row.birth_date if unmasked else None,
            phone=row.phone if unmasked or row.phone is None else mask_phone(row.phone),
            row_id=row.id,
        )

    # Labels are derived when asked for: most views show the codes' labels of a few persons only.
    @strawberry.field
    def sex_label(self) -> str | None:
        return label("sex", self.sex)

    @strawberry.field
    def ethnicity_label(self) -> str | None:
        return label("ethnicity", self.ethnicity)

    @strawberry.field(description="Tags and benefits you may see, current and past, newest first")
    @eager
    async def tags(self, info: Info) -> list[PersonTag]:
        return [PersonTag.from_row(t) for t in await info.context.loaders.tags_by_person.load(self.row_id)]

    @strawberry.field(
        description="Cases of any department this person is a party to, newest first; at most `first` (1–100)"
    )
    @eager
    async def cases(
        self, info: Info, first: int = 100
    ) -> list[Annotated[Case, strawberry.lazy("hub.api.types.case")]]:
        from hub.api.types.case import Case

        limit = capped(first)
        rows = await info.context.loaders.cases_by_person.load(self.row_id)
        return [Case.from_row(r, info) for r in rows[:limit]]

    @strawberry.field(description="How many cases you may see this person is a party to")
    @eager
    async def case_count(self, info: Info) -> int:
        return len(await info.context.loaders.cases_by_person.load(self.row_id))

    @strawberry.field(description="Households this person currently belongs to")
    @eager
    async def households(
        self, info: Info
    ) -> list[Annotated[Household, strawberry.lazy("hub.api.types.household")]]:
        from hub.api.types.household import Household

        loaders = info.context.loaders
        ids = await loaders.households_by_person.load(self.row_id)
        return [Household.from_row(r) for r in present(await load_all(loaders.household, ids))]

    @strawberry.field(description="Every source record that mentions this person: who says what")
    @eager
    async def sources(self, info: Info) -> list[PersonSource]:
        rows = await info.context.loaders.sources_by_person.load(self.row_id)
        return [PersonSource.from_row(r, info) for r in rows]
