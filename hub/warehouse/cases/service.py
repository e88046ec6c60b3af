"""Cases: every department's cases on the unified lifecycle, as the API reads them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.warehouse.cases.models import Case, CaseEvent, CaseLink, CaseParty
from hub.warehouse.pagination import Page, keyset, page_of
from hub.warehouse.scope import scoped
from hub.warehouse.viewer import Viewer


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    department: str
    case_no: str
    kind: str
    category: str
    status: str
    resolution_level: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    deadline: dt.date | None
    division_id: int | None
    grid_id: int | None
    address: str | None
    summary: str | None
    satisfaction: str | None


@dataclass(frozen=True, slots=True)
class PartyRow:
    case_id: int
    person_id: int
    role: str


@dataclass(frozen=True, slots=True)
class LinkRow:
    case_id: int
    target_case_no: str
    target_case_id: int | None
    relation: str


@dataclass(frozen=True, slots=True)
class EventRow:
    case_id: int
    at: dt.datetime
    status: str
    note: str | None


def _case_row(c: Case) -> CaseRow:
    return CaseRow(
        id=c.id,
        department=c.department,
        case_no=c.case_no,
        kind=c.kind,
        category=c.category,
        status=c.status,
        resolution_level=c.resolution_level,
        opened_at=c.opened_at,
        closed_at=c.closed_at,
        deadline=c.deadline,
        division_id=c.division_id,
        grid_id=c.grid_id,
        address=c.address,
        summary=c.summary,
        satisfaction=c.satisfaction,
    )


def get_cases(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, CaseRow]:
    """The cases with these ids that the viewer may see."""
    statement = scoped(select(Case).where(Case.id.in_(ids)), viewer, Case.grid_id)
    return {c.id: _case_row(c) for c in session.scalars(statement)}


def list_cases(
    *,
    session: Session,
    viewer: Viewer,
    department: str | None = None,
    kind: str | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[CaseRow]:
    """Cases visible to the viewer, optionally of one department or kind, in id order."""
    statement = scoped(select(Case), viewer, Case.grid_id)
    if department is not None:
        statement = statement.where(Case.department == department)
    if kind is not None:
        statement = statement.where(Case.kind == kind)
    rows = [_case_row(c) for c in session.scalars(keyset(statement, Case.id, after=after, first=first))]
    return page_of(rows, first=first, id_of=lambda row: row.id)


def cases_of_persons(
    *, session: Session, viewer: Viewer, person_ids: Sequence[int]
) -> dict[int, list[CaseRow]]:
    """The visible cases each person is a party to, newest first."""
    statement = scoped(
        select(CaseParty.person_id, Case).join(Case, Case.id == CaseParty.case_id),
        viewer,
        Case.grid_id,
    ).where(CaseParty.person_id.in_(person_ids))
    found: dict[int, list[CaseRow]] = {id_: [] for id_ in person_ids}
    seen: set[tuple[int, int]] = set()
    for person_id, case in session.execute(statement.order_by(Case.opened_at.desc(), Case.id)):
        if (person_id, case.id) not in seen:
            seen.add((person_id, case.id))
            found[person_id].append(_case_row(case))
    return found


def parties_of_cases(*, session: Session, case_ids: Sequence[int]) -> dict[int, list[PartyRow]]:
    """Each case's parties with their roles."""
    statement = (
        select(CaseParty).where(CaseParty.case_id.in_(case_ids)).order_by(CaseParty.case_id, CaseParty.id)
    )
    found: dict[int, list[PartyRow]] = {id_: [] for id_ in case_ids}
    for p in session.scalars(statement):
        found[p.case_id].append(PartyRow(case_id=p.case_id, person_id=p.person_id, role=p.role))
    return found


def links_of_cases(*, session: Session, case_ids: Sequence[int]) -> dict[int, list[LinkRow]]:
    """Each case's links to other cases, in both directions (a link names the case it points from)."""
    statement = select(CaseLink).where(
        or_(CaseLink.case_id.in_(case_ids), CaseLink.target_case_id.in_(case_ids))
    )
    found: dict[int, list[LinkRow]] = {id_: [] for id_ in case_ids}
    for link in session.scalars(statement.order_by(CaseLink.id)):
        row = LinkRow(
            case_id=link.case_id,
            target_case_no=link.target_case_no,
            target_case_id=link.target_case_id,
            relation=link.relation,
        )
        if link.case_id in found:
            found[link.case_id].append(row)
        if link.target_case_id in found and link.target_case_id != link.case_id:
            found[link.target_case_id].append(row)
    return found


def events_of_cases(*, session: Session, case_ids: Sequence[int]) -> dict[int, list[EventRow]]:
    """Each case's events in time order: its timeline."""
    statement = (
        select(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).order_by(CaseEvent.case_id, CaseEvent.at)
    )
    found: dict[int, list[EventRow]] = {id_: [] for id_ in case_ids}
    for e in session.scalars(statement):
        found[e.case_id].append(EventRow(case_id=e.case_id, at=e.at, status=e.status, note=e.note))
    return found
