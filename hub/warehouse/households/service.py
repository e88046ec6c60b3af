"""Households: reading households with their members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.warehouse.cases.models import Case, CaseParty
from hub.warehouse.grids.models import Grid
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.pagination import Page, keyset, page_of
from hub.warehouse.scope import scoped
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Viewer


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    id: int
    hh_no: str
    address: str
    division_id: int | None
    grid_id: int | None
    head_person_id: int | None


@dataclass(frozen=True, slots=True)
class MemberRow:
    household_id: int
    person_id: int
    relation: str
    valid_from: dt.date
    valid_to: dt.date | None


def _household_rows(statement: Select[Any], session: Session) -> list[HouseholdRow]:
    return [
        HouseholdRow(
            id=h.id,
            hh_no=h.hh_no,
            address=h.address,
            division_id=h.division_id,
            grid_id=h.grid_id,
            head_person_id=h.head_person_id,
        )
        for h in session.scalars(statement)
    ]


def get_households(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, HouseholdRow]:
    """The households with these ids that the viewer may see (others are simply absent)."""
    statement = scoped(select(Household).where(Household.id.in_(ids)), viewer, Household.grid_id)
    return {row.id: row for row in _household_rows(statement, session)}


@dataclass(frozen=True, slots=True)
class HouseholdFilter:
    """Which households to list: a grid subtree, and members with tags or cases from a department."""

    grid_code: str | None = None
    has_tag_from: str | None = None
    has_case_from: str | None = None


def list_households(
    *,
    session: Session,
    viewer: Viewer,
    where: HouseholdFilter = HouseholdFilter(),
    after: int | None = None,
    first: int = 20,
) -> Page[HouseholdRow]:
    """Households visible to the viewer and matching `where`, in id order."""
    statement = scoped(select(Household), viewer, Household.grid_id)
    if where.grid_code is not None:
        in_subtree = select(Grid.id).where(Grid.code.startswith(where.grid_code))
        statement = statement.where(Household.grid_id.in_(in_subtree))
    members = select(HouseholdMember.household_id).where(HouseholdMember.valid_to.is_(None))
    if where.has_tag_from is not None:
        tagged = select(PersonTag.person_id).where(PersonTag.department == where.has_tag_from)
        statement = statement.where(Household.id.in_(members.where(HouseholdMember.person_id.in_(tagged))))
    if where.has_case_from is not None:
        parties = (
            select(CaseParty.person_id)
            .join(Case, Case.id == CaseParty.case_id)
            .where(Case.department == where.has_case_from)
        )
        statement = statement.where(Household.id.in_(members.where(HouseholdMember.person_id.in_(parties))))
    rows = _household_rows(keyset(statement, Household.id, after=after, first=first), session)
    return page_of(rows, first=first, id_of=lambda row: row.id)


def members_of_households(*, session: Session, household_ids: Sequence[int]) -> dict[int, list[MemberRow]]:
    """Current members of each household, head first, then by relation and person."""
    statement = (
        select(HouseholdMember)
        .where(HouseholdMember.household_id.in_(household_ids), HouseholdMember.valid_to.is_(None))
        .order_by(HouseholdMember.household_id, HouseholdMember.relation, HouseholdMember.person_id)
    )
    members: dict[int, list[MemberRow]] = {id_: [] for id_ in household_ids}
    for m in session.scalars(statement):
        members[m.household_id].append(
            MemberRow(
                household_id=m.household_id,
                person_id=m.person_id,
                relation=m.relation,
                valid_from=m.valid_from,
                valid_to=m.valid_to,
            )
        )
    return members


def households_of_persons(*, session: Session, person_ids: Sequence[int]) -> dict[int, list[int]]:
    """The households each person currently belongs to."""
    statement = select(HouseholdMember.person_id, HouseholdMember.household_id).where(
        HouseholdMember.person_id.in_(person_ids), HouseholdMember.valid_to.is_(None)
    )
    found: dict[int, list[int]] = {id_: [] for id_ in person_ids}
    for person_id, household_id in session.execute(statement.order_by(HouseholdMember.household_id)):
        found[person_id].append(household_id)
    return found
