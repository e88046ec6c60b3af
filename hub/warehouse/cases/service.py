"""Cases: every department's cases on the unified lifecycle, as the API reads them."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    literal_column,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from hub.db.driver_reads import fetch_all
from hub.warehouse.cases.models import Case, CaseEvent, CaseLink, CaseParty
from hub.warehouse.grids.models import Grid
from hub.warehouse.pagination import Page, in_batch, keyset, on_postgresql, page_of
from hub.warehouse.scope import case_visible, scoped_cases
from hub.warehouse.viewer import Viewer

CHINA = ZoneInfo("Asia/Shanghai")
# 受理, 分流, 办理: a case in one of these statuses is still open; 办结 and 回访 close it.
OPEN_STATUSES = ("received", "assigned", "in_progress")


def today_in_china() -> dt.date:
    """The calendar day deadlines are counted against: the departments' own (China Standard Time)."""
    return dt.datetime.now(CHINA).date()


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def is_overdue(*, status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Open past its deadline (信访: 60 days from receipt)."""
    return deadline is not None and deadline < today and is_open(status)


def open_condition() -> ColumnElement[bool]:
    return Case.status.in_(OPEN_STATUSES)


def overdue_condition(today: dt.date | BindParameter[dt.date]) -> ColumnElement[bool]:
    """Open past its deadline, as `is_overdue` says; `today` may be a parameter of a statement built once."""
    return and_(Case.deadline.is_not(None), Case.deadline < today, open_condition())


class CaseRow(NamedTuple):
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


class PartyRow(NamedTuple):
    case_id: int
    person_id: int
    role: str


class LinkRow(NamedTuple):
    case_id: int
    target_case_no: str
    target_case_id: int | None
    relation: str


class EventRow(NamedTuple):
    case_id: int
    at: dt.datetime
    status: str
    note: str | None


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """Which cases to list; every given condition must hold, and a tuple means any of its values."""

    departments: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    resolution_levels: tuple[str, ...] = ()
    grid_code: str | None = None
    opened_from: dt.datetime | None = None
    opened_before: dt.datetime | None = None
    overdue: bool | None = None
    is_open: bool | None = None


# The reads select table columns, not ORM attributes: on each execution SQLAlchemy matches the new
# statement's result columns to its cached compilation's, and annotated ORM columns are matched by
# building a SQL `==` expression for each (measured: a third of a one-row lookup's time).
_cases = Case.__table__.c
_parties = CaseParty.__table__.c
_links = CaseLink.__table__.c
_events = CaseEvent.__table__.c

_CASE_COLUMNS = (
    _cases.id,
    _cases.department,
    _cases.case_no,
    _cases.kind,
    _cases.category,
    _cases.status,
    _cases.resolution_level,
    _cases.opened_at,
    _cases.closed_at,
    _cases.deadline,
    _cases.division_id,
    _cases.grid_id,
    _cases.address,
    _cases.summary,
    _cases.satisfaction,
)


_LINK_COLUMNS = (_links.case_id, _links.target_case_no, _links.target_case_id, _links.relation)


def get_cases(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, CaseRow]:
    """The cases with these ids that the viewer may see."""
    connection = session.connection()
    statement = _get_cases_statement(viewer, postgresql=on_postgresql(connection))
    return {row.id: CaseRow._make(row) for row in fetch_all(connection, statement, {"ids": list(ids)})}


@functools.lru_cache(maxsize=256)
def _get_cases_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    return scoped_cases(
        select(*_CASE_COLUMNS).where(in_batch(_cases.id, "ids", postgresql=postgresql)), viewer
    )


def _filtered(where: CaseFilter, *, today: dt.date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.departments:
        conditions.append(Case.department.in_(where.departments))
    if where.kinds:
        conditions.append(Case.kind.in_(where.kinds))
    if where.statuses:
        conditions.append(Case.status.in_(where.statuses))
    if where.resolution_levels:
        conditions.append(Case.resolution_level.in_(where.resolution_levels))
    if where.grid_code is not None:
        conditions.append(Case.grid_id.in_(select(Grid.id).where(Grid.code.startswith(where.grid_code))))
    if where.opened_from is not None:
        conditions.append(Case.opened_at >= where.opened_from)
    if where.opened_before is not None:
        conditions.append(Case.opened_at < where.opened_before)
    if where.overdue is not None:
        overdue = overdue_condition(today)
        conditions.append(overdue if where.overdue else not_(overdue))
    if where.is_open is not None:
        conditions.append(open_condition() if where.is_open else not_(open_condition()))
    return conditions


def list_cases(
    *,
    session: Session,
    viewer: Viewer,
    where: CaseFilter = CaseFilter(),
    today: dt.date | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[CaseRow]:
    """Cases visible to the viewer and matching `where`, in id order."""
    statement = scoped_cases(select(*_CASE_COLUMNS), viewer)
    statement = statement.where(*_filtered(where, today=today or today_in_china()))
    rows = [
        CaseRow._make(row)
        for row in session.connection().execute(keyset(statement, Case.id, after=after, first=first))
    ]
    return page_of(rows, first=first, id_of=lambda row: row.id)


def cases_of_persons(
    *, session: Session, viewer: Viewer, person_ids: Sequence[int]
) -> dict[int, list[CaseRow]]:
    """The visible cases each person is a party to, newest first (a person's cases are few)."""
    connection = session.connection()
    statement = _cases_of_persons_statement(viewer, postgresql=on_postgresql(connection))
    found: dict[int, list[CaseRow]] = {id_: [] for id_ in person_ids}
    seen: set[tuple[int, int]] = set()
    for person_id, *columns in fetch_all(connection, statement, {"person_ids": list(person_ids)}):
        case = CaseRow._make(columns)
        if (person_id, case.id) not in seen:
            seen.add((person_id, case.id))
            found[person_id].append(case)
    return found


@functools.lru_cache(maxsize=256)
def _cases_of_persons_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    return (
        scoped_cases(
            select(_parties.person_id, *_CASE_COLUMNS).join(Case, Case.id == CaseParty.case_id), viewer
        )
        .where(in_batch(_parties.person_id, "person_ids", postgresql=postgresql))
        .order_by(Case.opened_at.desc(), Case.id)
    )


def parties_of_cases(*, session: Session, case_ids: Sequence[int]) -> dict[int, list[PartyRow]]:
    """Each case's parties with their roles."""
    connection = session.connection()
    statement = _parties_of_cases_statement(postgresql=on_postgresql(connection))
    found: dict[int, list[PartyRow]] = {id_: [] for id_ in case_ids}
    for case_id, person_id, role in fetch_all(connection, statement, {"case_ids": list(case_ids)}):
        found[case_id].append(PartyRow(case_id, person_id, role))
    return found


@functools.cache
def _parties_of_cases_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(_parties.case_id, _parties.person_id, _parties.role)
        .where(in_batch(_parties.case_id, "case_ids", postgresql=postgresql))
        .order_by(_parties.case_id, _parties.id)
    )


def links_of_cases(*, session: Session, case_ids: Sequence[int]) -> dict[int, list[LinkRow]]:
    """Each case's links to other cases, in both directions (a link names the case it points from)."""
    connection = session.connection()
    statement = _links_of_cases_statement(postgresql=on_postgresql(connection))
    found: dict[int, list[LinkRow]] = {id_: [] for id_ in case_ids}
    rows = fetch_all(connection, statement, {"case_ids": list(case_ids)})
    for case_id, target_case_no, target_case_id, relation in rows:
        row = LinkRow(case_id, target_case_no, target_case_id, relation)
        if case_id in found:
            found[case_id].append(row)
        if target_case_id in found and target_case_id != case_id:
            found[target_case_id].append(row)
    return found


@functools.cache
def _links_of_cases_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(*_LINK_COLUMNS)
        .where(
            or_(
                in_batch(_links.case_id, "case_ids", postgresql=postgresql),
                in_batch(_links.target_case_id, "case_ids", postgresql=postgresql),
            )
        )
        .order_by(_links.id)
    )


def events_of_cases(*, session: Session, case_ids: Sequence[int]) -> dict[int, list[EventRow]]:
    """Each case's events in time order: its timeline."""
    connection = session.connection()
    statement = _events_of_cases_statement(postgresql=on_postgresql(connection))
    found: dict[int, list[EventRow]] = {id_: [] for id_ in case_ids}
    for case_id, at, status, note in fetch_all(connection, statement, {"case_ids": list(case_ids)}):
        found[case_id].append(EventRow(case_id, at, status, note))
    return found


@functools.cache
def _events_of_cases_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(_events.case_id, _events.at, _events.status, _events.note)
        .where(in_batch(_events.case_id, "case_ids", postgresql=postgresql))
        .order_by(_events.case_id, _events.at)
    )


def links_with_cases(
    *, session: Session, viewer: Viewer, case_ids: Sequence[int]
) -> dict[int, list[tuple[LinkRow, CaseRow | None]]]:
    """Each case's links (as `links_of_cases` has them), each with the case at its other end when it
    is in the warehouse and the viewer may see it: `linkedCases` in one statement instead of two."""
    connection = session.connection()
    statement = _links_with_cases_statement(viewer, postgresql=on_postgresql(connection))
    found: dict[int, list[tuple[LinkRow, CaseRow | None]]] = {id_: [] for id_ in case_ids}
    width = len(_LINK_COLUMNS)
    for _link_id, near_id, *columns in fetch_all(connection, statement, {"case_ids": list(case_ids)}):
        link = LinkRow._make(columns[:width])
        far = columns[width:]
        found[near_id].append((link, None if far[0] is None else CaseRow._make(far)))
    return found


@functools.lru_cache(maxsize=256)
def _links_with_cases_statement(viewer: Viewer, *, postgresql: bool) -> CompoundSelect[Any]:
    """The statement of `links_with_cases` for one viewer's scope, built once: its two 21-column
    branches took longer to build than the database took to answer (measured: 0.45 ms against 0.3 ms
    for a case view's links), and a statement built once also keeps its cache key."""
    visible = case_visible(viewer)

    def far_end(near: ColumnElement[int], far: ColumnElement[int]) -> Select[Any]:
        # Each branch joins one end of the link, so the viewer's scope applies to `cases` as it is.
        return (
            select(_links.id.label("link_id"), near.label("near_id"), *_LINK_COLUMNS, *_CASE_COLUMNS)
            .select_from(CaseLink.__table__)
            .outerjoin(Case, and_(_cases.id == far, visible))
            .where(in_batch(near, "case_ids", postgresql=postgresql))
        )

    from_source = far_end(_links.case_id, _links.target_case_id)
    # A link from a case to itself is listed once, from its source, as `links_of_cases` lists it.
    from_target = far_end(_links.target_case_id, _links.case_id).where(
        _links.case_id != _links.target_case_id
    )
    # Ordered by the branches' labels: selecting from the union as a subquery would build a proxy of
    # each of its columns on every call.
    return union_all(from_source, from_target).order_by(literal_column("link_id"), literal_column("near_id"))
