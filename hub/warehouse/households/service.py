"""Households: loading the household register and reading households with their members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from hub.db.upsert import batched, ids_by_key, row_hash, upsert
from hub.sources.canonical import HouseholdRecord
from hub.warehouse.cases.models import Case, CaseParty
from hub.warehouse.divisions.service import division_ids
from hub.warehouse.grids.models import Grid
from hub.warehouse.grids.service import grids_for_addresses
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.pagination import Page, keyset, page_of
from hub.warehouse.persons.service import PersonMention, identity_key, resolve_persons
from hub.warehouse.provenance import LoadResult, LoadRun, with_provenance
from hub.warehouse.scope import scoped
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Viewer

HEAD_RELATION = "02"  # GB/T 4761 户主


def load_households(*, session: Session, records: Sequence[HouseholdRecord], run: LoadRun) -> LoadResult:
    """Upsert households and their members; members the register no longer lists are closed.

    A household is placed in a grid by the registry's address rule; an address the registry does not
    know leaves the household without a grid rather than guessing one.
    """
    mentions = [PersonMention(person=m.person, source=m.source) for r in records for m in r.members]
    person_ids, persons_written = resolve_persons(session=session, mentions=mentions, run=run)
    divisions = division_ids(session=session, codes=[r.division_code for r in records])
    grids = grids_for_addresses(session=session, addresses=[r.address for r in records])
    rows = []
    for record in records:
        head = next((m for m in record.members if m.relation == HEAD_RELATION), None)
        content = {
            "hh_no": record.hh_no,
            "address": record.address,
            "division_id": divisions.get(record.division_code),
            "grid_id": grids.get(record.address),
            "head_person_id": person_ids[identity_key(PersonMention(head.person, head.source))]
            if head
            else None,
        }
        rows.append(with_provenance(content, source=record.source, run=run))
    households_written = upsert(session, Household, rows, key=("hh_no",))
    household_ids = ids_by_key(session, Household, ("hh_no",), ((r.hh_no,) for r in records))
    members_written = _sync_members(session, records, household_ids, person_ids, run)
    return LoadResult(
        received=len(records),
        written_by_table={
            **persons_written,
            "households": households_written,
            "household_members": members_written,
        },
    )


def _sync_members(
    session: Session,
    records: Sequence[HouseholdRecord],
    household_ids: dict[tuple[object, ...], int],
    person_ids: dict[str, int],
    run: LoadRun,
) -> int:
    """Open a membership for each newly listed member, update relations, close dropped members."""
    open_rows: dict[tuple[int, int], tuple[int, str]] = {}
    for chunk in batched(household_ids.values()):
        statement = select(
            HouseholdMember.household_id,
            HouseholdMember.person_id,
            HouseholdMember.id,
            HouseholdMember.relation,
        ).where(HouseholdMember.household_id.in_(chunk), HouseholdMember.valid_to.is_(None))
        for household_id, person_id, member_id, relation in session.execute(statement):
            open_rows[(household_id, person_id)] = (member_id, relation)
    today = run.at.date()
    rows = []
    listed: set[tuple[int, int]] = set()
    for record in records:
        household_id = household_ids[(record.hh_no,)]
        for member in record.members:
            pair = (household_id, person_ids[identity_key(PersonMention(member.person, member.source))])
            listed.add(pair)
            existing = open_rows.get(pair)
            if existing is not None and existing[1] == member.relation:
                continue
            valid_from = today
            if existing is not None:
                valid_from = session.get_one(HouseholdMember, existing[0]).valid_from
            content = {
                "household_id": pair[0],
                "person_id": pair[1],
                "relation": member.relation,
                "valid_from": valid_from,
                "valid_to": None,
            }
            rows.append(with_provenance(content, source=member.source, run=run))
    written = upsert(session, HouseholdMember, rows, key=("household_id", "person_id", "valid_from"))
    dropped = [member_id for pair, (member_id, _) in open_rows.items() if pair not in listed]
    for chunk in batched(dropped):
        closed = {
            "valid_to": today,
            "run_id": run.run_id,
            "loaded_at": run.at,
            "row_hash": row_hash({"closed": today}),
        }
        session.execute(update(HouseholdMember).where(HouseholdMember.id.in_(chunk)).values(**closed))
    return written + len(dropped)


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
