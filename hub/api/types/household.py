"""Household: the cross-department view of one registered household."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.context import Info
from hub.api.eager import eager
from hub.api.loaders import load_all
from hub.api.types.enums import CaseStatus, TimelineKind, as_case_status
from hub.api.types.labels import CHINA, LIFECYCLE_LABELS, label, local_time
from hub.api.types.node import Node, capped
from hub.api.types.person import Person, PersonTag
from hub.warehouse.cases.service import CaseRow
from hub.warehouse.households.service import HouseholdRow, MemberRow, MoralPointRow, RatingRow
from hub.warehouse.tags.service import TagRow

if TYPE_CHECKING:
    from hub.api.types.case import Case
    from hub.api.types.grid import Grid


@strawberry.type(description="A person's membership of a household (公安 household register).")
class HouseholdMember:
    relation: str = strawberry.field(description="GB/T 4761 relation to the head of household")
    valid_from: dt.date
    person_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: MemberRow) -> HouseholdMember:
        return cls(
            relation=row.relation,
            valid_from=row.valid_from,
            person_id=row.person_id,
        )

    @strawberry.field
    def relation_label(self) -> str | None:
        return label("family_relation", self.relation)

    @strawberry.field(description="The member (null when out of your scope)")
    @eager
    async def person(self, info: Info) -> Person | None:
        row = await info.context.loaders.person.load(self.person_id)
        return Person.from_row(row, info) if row else None


@strawberry.type(description="十星级文明户: the stars a village committee gave a household for one year.")
class HouseholdRating:
    year: int = strawberry.field(description="The year assessed")
    stars: int = strawberry.field(description="0–10")
    assessed_by: str = strawberry.field(description="The assessing 村民委员会 or 居民委员会")
    assessed_on: dt.date

    @classmethod
    def from_row(cls, row: RatingRow) -> HouseholdRating:
        return cls(year=row.year, stars=row.stars, assessed_by=row.assessed_by, assessed_on=row.assessed_on)


@strawberry.type(description="道德银行: one entry of a household's moral-bank account.")
class MoralPointEntry:
    entry_no: str = strawberry.field(description="流水号")
    recorded_on: dt.date
    reason: str = strawberry.field(description="A moral_point_reasons code (volunteering … redemption)")
    reason_label: str | None = strawberry.field(description="The reason in Chinese (志愿服务 …)")
    points: int = strawberry.field(description="Negative when spent (积分兑换) or deducted (违反村规民约)")
    balance: int = strawberry.field(description="The household's balance after this entry")

    @classmethod
    def from_row(cls, row: MoralPointRow) -> MoralPointEntry:
        return cls(
            entry_no=row.entry_no,
            recorded_on=row.recorded_on,
            reason=row.reason,
            reason_label=label("moral_point_reasons", row.reason),
            points=row.points,
            balance=row.balance,
        )


@strawberry.type(description="道德银行: a household's moral-bank account (civil affairs).")
class MoralPoints:
    balance: int = strawberry.field(description="Points held: the balance after the latest entry")
    as_of: dt.date = strawberry.field(description="The day of the latest entry")
    rows: strawberry.Private[list[MoralPointRow]]

    @classmethod
    def from_rows(cls, rows: list[MoralPointRow]) -> MoralPoints | None:
        """The account from its entries newest first; None for a household without any."""
        if not rows:
            return None
        return cls(balance=rows[0].balance, as_of=rows[0].recorded_on, rows=rows)

    @strawberry.field(description="The latest entries, newest first; at most `first` (1–100)")
    def entries(self, first: int = 20) -> list[MoralPointEntry]:
        return [MoralPointEntry.from_row(row) for row in self.rows[: capped(first)]]


@strawberry.type(description="One dated entry of a household's merged timeline.")
class TimelineEntry:
    at: dt.datetime = strawberry.field(description="China Standard Time; dates alone are shown at 00:00")
    kind: TimelineKind
    label: str | None = strawberry.field(description="What happened, in Chinese (受理, 低保 …)")
    status: CaseStatus | None = strawberry.field(description="For case events: the status reached")
    person_id: strawberry.Private[int | None]
    case_row: strawberry.Private[CaseRow | None]

    @strawberry.field(description="The member concerned (tags and membership)")
    @eager
    async def person(self, info: Info) -> Person | None:
        if self.person_id is None:
            return None
        row = await info.context.loaders.person.load(self.person_id)
        return Person.from_row(row, info) if row else None

    @strawberry.field(description="The case concerned (case events)")
    def case(self, info: Info) -> Annotated[Case, strawberry.lazy("hub.api.types.case")] | None:
        from hub.api.types.case import Case

        return Case.from_row(self.case_row, info) if self.case_row else None


def _on(day: dt.date) -> dt.datetime:
    """A date-only fact (a tag's start, an arrival) placed at the start of that day in China."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA)


@strawberry.type(description="户: one registered household, with every department's view of its members.")
class Household(Node):
    hh_no: str
    address: str
    grid_id: strawberry.Private[int | None]
    head_person_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: HouseholdRow) -> Household:
        return cls(
            hh_no=row.hh_no,
            address=row.address,
            row_id=row.id,
            grid_id=row.grid_id,
            head_person_id=row.head_person_id,
        )

    @strawberry.field
    @eager
    async def grid(self, info: Info) -> Annotated[Grid, strawberry.lazy("hub.api.types.grid")] | None:
        from hub.api.types.grid import Grid

        if self.grid_id is None:
            return None
        row = await info.context.loaders.grid.load(self.grid_id)
        return Grid.from_row(row) if row else None

    @strawberry.field(description="户主")
    @eager
    async def head(self, info: Info) -> Person | None:
        if self.head_person_id is None:
            return None
        row = await info.context.loaders.person.load(self.head_person_id)
        return Person.from_row(row, info) if row else None

    @strawberry.field(description="Current members, head first")
    @eager
    async def members(self, info: Info) -> list[HouseholdMember]:
        rows = await info.context.loaders.members_by_household.load(self.row_id)
        return [HouseholdMember.from_row(r) for r in rows]

    @strawberry.field(description="The latest year's 十星级文明户 rating (null when never assessed)")
    @eager
    async def rating(self, info: Info) -> HouseholdRating | None:
        rows = await info.context.loaders.ratings_by_household.load(self.row_id)
        return HouseholdRating.from_row(rows[0]) if rows else None

    @strawberry.field(description="十星级文明户 ratings, latest year first; at most `first` (1–100)")
    @eager
    async def ratings(self, info: Info, first: int = 10) -> list[HouseholdRating]:
        limit = capped(first)
        rows = await info.context.loaders.ratings_by_household.load(self.row_id)
        return [HouseholdRating.from_row(r) for r in rows[:limit]]

    @strawberry.field(description="道德银行 balance and latest entries (null without any entry)")
    @eager
    async def moral_points(self, info: Info) -> MoralPoints | None:
        return MoralPoints.from_rows(await info.context.loaders.moral_points_by_household.load(self.row_id))

    @strawberry.field(description="Every member's tags and benefits you may see, from all departments")
    @eager
    async def tags(self, info: Info) -> list[PersonTag]:
        return [PersonTag.from_row(t) for t in await self._tag_rows(info)]

    @strawberry.field(
        description="The tags that carry a monthly amount (低保, 特困 …): the household's benefits"
    )
    @eager
    async def benefits(self, info: Info) -> list[PersonTag]:
        return [PersonTag.from_row(t) for t in await self._tag_rows(info) if t.amount is not None]

    @strawberry.field(
        description="Every member's cases from all four departments, newest first; at most `first` (1–100)"
    )
    @eager
    async def cases(
        self, info: Info, first: int = 100
    ) -> list[Annotated[Case, strawberry.lazy("hub.api.types.case")]]:
        from hub.api.types.case import Case

        limit = capped(first)
        return [Case.from_row(r, info) for r in (await self._case_rows(info))[:limit]]

    @strawberry.field(description="How many cases you may see have a member as a party")
    @eager
    async def case_count(self, info: Info) -> int:
        return len(await self._case_rows(info))

    @strawberry.field(
        description="Members' case events, tag starts and ends, and arrivals merged, newest first; "
        "at most `first` (1–100)"
    )
    @eager
    async def timeline(self, info: Info, first: int = 50) -> list[TimelineEntry]:
        limit = capped(first)
        loaders = info.context.loaders
        members = await loaders.members_by_household.load(self.row_id)
        tags = await self._tag_rows(info)
        cases = await self._case_rows(info)
        event_lists = await load_all(loaders.events_by_case, [c.id for c in cases])
        entries: list[TimelineEntry] = []
        for case, events in zip(cases, event_lists, strict=True):
            for event in events:
                at = local_time(event.at)
                assert at is not None
                status = as_case_status(event.status)
                entries.append(
                    TimelineEntry(
                        at=at,
                        kind=TimelineKind.CASE_EVENT,
                        label=f"{case.case_no} {LIFECYCLE_LABELS[event.status]}",
                        status=status,
                        person_id=None,
                        case_row=case,
                    )
                )
        for tag in tags:
            tag_label = label("tag_kinds", tag.kind)
            for day, kind in (
                (tag.valid_from, TimelineKind.TAG_STARTED),
                (tag.valid_to, TimelineKind.TAG_ENDED),
            ):
                if day is not None:
                    entries.append(
                        TimelineEntry(
                            at=_on(day),
                            kind=kind,
                            label=tag_label,
                            status=None,
                            person_id=tag.person_id,
                            case_row=None,
                        )
                    )
        for member in members:
            entries.append(
                TimelineEntry(
                    at=_on(member.valid_from),
                    kind=TimelineKind.MEMBER_JOINED,
                    label=label("family_relation", member.relation),
                    status=None,
                    person_id=member.person_id,
                    case_row=None,
                )
            )
        entries.sort(key=lambda e: e.at, reverse=True)
        return entries[:limit]

    async def _tag_rows(self, info: Info) -> list[TagRow]:
        loaders = info.context.loaders
        members = await loaders.members_by_household.load(self.row_id)
        tag_lists = await load_all(loaders.tags_by_person, [m.person_id for m in members])
        return [t for tags in tag_lists for t in tags]

    async def _case_rows(self, info: Info) -> list[CaseRow]:
        loaders = info.context.loaders
        members = await loaders.members_by_household.load(self.row_id)
        case_lists = await load_all(loaders.cases_by_person, [m.person_id for m in members])
        unique = {row.id: row for rows in case_lists for row in rows}
        return sorted(unique.values(), key=lambda r: (r.opened_at, r.id), reverse=True)
