"""Cases: loading every department's cases onto the unified lifecycle, and linking them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from hub.db.upsert import ids_by_key, upsert
from hub.sources.canonical import CaseRecord, SourceRef
from hub.warehouse.cases.models import Case, CaseEvent, CaseLink, CaseParty
from hub.warehouse.divisions.service import division_ids
from hub.warehouse.grids.service import grids_for_addresses
from hub.warehouse.pagination import Page, keyset, page_of
from hub.warehouse.persons.service import PersonMention, identity_key, resolve_persons
from hub.warehouse.provenance import LoadResult, LoadRun, with_provenance
from hub.warehouse.scope import scoped
from hub.warehouse.viewer import Viewer


def load_cases(*, session: Session, records: Sequence[CaseRecord], run: LoadRun) -> LoadResult:
    """Upsert cases with their parties, links and events; then resolve links between departments."""
    mentions = [PersonMention(person=p.person, source=r.source) for r in records for p in r.parties]
    person_ids, persons_written = resolve_persons(session=session, mentions=mentions, run=run)
    divisions = division_ids(session=session, codes=[r.division_code for r in records if r.division_code])
    grids = grids_for_addresses(session=session, addresses=[r.address for r in records if r.address])
    rows = []
    for record in records:
        content = {
            "department": record.department.value,
            "case_no": record.case_no,
            "kind": record.kind.value,
            "category": record.category,
            "status": record.status.value,
            "resolution_level": record.resolution_level.value if record.resolution_level else None,
            "opened_at": record.opened_at,
            "closed_at": record.closed_at,
            "deadline": record.deadline,
            "division_id": divisions.get(record.division_code) if record.division_code else None,
            "grid_id": grids.get(record.address) if record.address else None,
            "address": record.address,
            "summary": record.summary,
            "satisfaction": record.satisfaction,
        }
        rows.append(with_provenance(content, source=record.source, run=run))
    written = {
        **persons_written,
        "cases": upsert(session, Case, rows, key=("department", "case_no")),
    }
    case_ids = ids_by_key(
        session, Case, ("department", "case_no"), ((r.department.value, r.case_no) for r in records)
    )
    parties, links, events = [], [], []
    for record in records:
        case_id = case_ids[(record.department.value, record.case_no)]
        source = record.source
        seen_parties = set()
        for party in record.parties:
            person_id = person_ids[identity_key(PersonMention(party.person, source))]
            if (person_id, party.role) in seen_parties:
                continue
            seen_parties.add((person_id, party.role))
            parties.append(
                _row({"case_id": case_id, "person_id": person_id, "role": party.role}, source, run)
            )
        for link in record.links:
            content = {"case_id": case_id, "target_case_no": link.target_case_no, "relation": link.relation}
            links.append(_row(content, source, run))
        for event in record.events:
            content = {"case_id": case_id, "at": event.at, "status": event.status.value, "note": event.note}
            events.append(_row(content, source, run))
    written["case_parties"] = upsert(session, CaseParty, parties, key=("case_id", "person_id", "role"))
    written["case_links"] = upsert(session, CaseLink, links, key=("case_id", "target_case_no", "relation"))
    written["case_events"] = upsert(session, CaseEvent, events, key=("case_id", "status", "at"))
    written["case_links"] += resolve_case_links(session=session)
    return LoadResult(received=len(records), written_by_table=written)


def _row(content: Mapping[str, object], source: SourceRef, run: LoadRun) -> dict[str, object]:
    return with_provenance(dict(content), source=source, run=run)


def resolve_case_links(*, session: Session) -> int:
    """Point every unresolved link at its target case once that case is in the warehouse.

    Case numbers carry their department's prefix (J…, TJ…, XF…), so a number names one case; the
    link stays unresolved, not wrong, while its target has not been loaded yet.
    """
    target = aliased(Case)
    pending = session.execute(
        select(CaseLink.id, target.id)
        .join(target, target.case_no == CaseLink.target_case_no)
        .where(CaseLink.target_case_id.is_(None))
    ).all()
    for link_id, target_id in pending:
        session.execute(update(CaseLink).where(CaseLink.id == link_id).values(target_case_id=target_id))
    return len(pending)


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
