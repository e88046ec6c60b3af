"""Input filters of the list queries, validated into the services' filter dataclasses."""

from __future__ import annotations

import datetime as dt

import strawberry

from hub.api.types.enums import CaseKind, CaseStatus, Department, ResolutionLevel, TagKind
from hub.errors import InvalidInput
from hub.warehouse.cases.service import CaseFilter
from hub.warehouse.households.service import HouseholdFilter
from hub.warehouse.persons.service import PersonFilter

MAX_SEARCH_LENGTH = 100
MAX_CODE_LENGTH = 17


def check_code_prefix(code: str | None, *, argument: str) -> str | None:
    """A division or grid code prefix: digits only, at most 17 (a micro-grid's full code)."""
    if code is not None and not (code.isdigit() and 1 <= len(code) <= MAX_CODE_LENGTH):
        raise InvalidInput(
            f"{argument} must be 1 to {MAX_CODE_LENGTH} digits (a division or grid code prefix), got {code!r}"
        )
    return code


def _search_text(text: str | None, *, argument: str) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if not 1 <= len(text) <= MAX_SEARCH_LENGTH:
        raise InvalidInput(f"{argument} must be 1 to {MAX_SEARCH_LENGTH} characters, got {len(text)}")
    return text


@strawberry.input(description="Which households to list; every given condition must hold.")
class HouseholdFilterInput:
    grid_code: str | None = strawberry.field(
        default=None, description="Grid subtree: a division or grid code prefix"
    )
    tag_kinds: list[TagKind] | None = strawberry.field(
        default=None, description="A current member holds a current tag of any of these kinds"
    )
    has_tag_from: Department | None = strawberry.field(
        default=None, description="A member holds a tag from this department"
    )
    has_case_from: Department | None = strawberry.field(
        default=None, description="A member is a party to a case of this department"
    )
    has_open_cases: bool | None = strawberry.field(
        default=None, description="true: a member is party to an open case; false: none is"
    )
    address_contains: str | None = strawberry.field(
        default=None, description="The registered address contains this text (1–100 characters, literal)"
    )

    def to_filter(self) -> HouseholdFilter:
        return HouseholdFilter(
            grid_code=check_code_prefix(self.grid_code, argument="filter.gridCode"),
            tag_kinds=tuple(kind.value for kind in self.tag_kinds or ()),
            has_tag_from=self.has_tag_from.value if self.has_tag_from else None,
            has_case_from=self.has_case_from.value if self.has_case_from else None,
            has_open_cases=self.has_open_cases,
            address_contains=_search_text(self.address_contains, argument="filter.addressContains"),
        )


@strawberry.input(description="Which persons to list; every given condition must hold.")
class PersonFilterInput:
    grid_code: str | None = strawberry.field(
        default=None, description="Current member of a household in this grid subtree (code prefix)"
    )
    tag_kinds: list[TagKind] | None = strawberry.field(
        default=None, description="Holds a current tag of any of these kinds"
    )
    id_number: str | None = strawberry.field(default=None, description="Exactly this 18-character ID number")
    name: str | None = strawberry.field(default=None, description="Exactly this name")

    def to_filter(self) -> PersonFilter:
        id_number = self.id_number.strip().upper() if self.id_number is not None else None
        if id_number is not None and not (len(id_number) == 18 and id_number[:17].isdigit()):
            raise InvalidInput(f"filter.idNumber must be an 18-character ID number, got {self.id_number!r}")
        return PersonFilter(
            grid_code=check_code_prefix(self.grid_code, argument="filter.gridCode"),
            tag_kinds=tuple(kind.value for kind in self.tag_kinds or ()),
            id_number=id_number,
            name=_search_text(self.name, argument="filter.name"),
        )


@strawberry.input(description="Which cases to list; every given condition must hold, a list means any of.")
class CaseFilterInput:
    departments: list[Department] | None = None
    kinds: list[CaseKind] | None = None
    statuses: list[CaseStatus] | None = None
    resolution_levels: list[ResolutionLevel] | None = None
    grid_code: str | None = strawberry.field(
        default=None, description="Grid subtree: a division or grid code prefix"
    )
    opened_from: dt.datetime | None = strawberry.field(
        default=None, description="Opened at or after (with offset)"
    )
    opened_before: dt.datetime | None = strawberry.field(
        default=None, description="Opened before (with offset)"
    )
    overdue: bool | None = strawberry.field(default=None, description="Open past its deadline (or not)")
    is_open: bool | None = strawberry.field(
        default=None, description="Received, assigned or in progress (or not)"
    )

    def to_filter(self) -> CaseFilter:
        for argument, moment in (("openedFrom", self.opened_from), ("openedBefore", self.opened_before)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput(f"filter.{argument} needs a UTC offset, e.g. 2026-01-01T00:00:00+08:00")
        if self.opened_from and self.opened_before and self.opened_from >= self.opened_before:
            raise InvalidInput("filter.openedFrom must be before filter.openedBefore")
        return CaseFilter(
            departments=tuple(d.value for d in self.departments or ()),
            kinds=tuple(k.value for k in self.kinds or ()),
            statuses=tuple(s.value for s in self.statuses or ()),
            resolution_levels=tuple(r.value for r in self.resolution_levels or ()),
            grid_code=check_code_prefix(self.grid_code, argument="filter.gridCode"),
            opened_from=self.opened_from,
            opened_before=self.opened_before,
            overdue=self.overdue,
            is_open=self.is_open,
        )
