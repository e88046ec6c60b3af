"""Reading grids, micro-grids, their workers, and the statistics of a grid's subtree."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from hub.db.driver_reads import fetch_all
from hub.warehouse.cases.models import Case
from hub.warehouse.cases.service import open_condition, overdue_condition, today_in_china
from hub.warehouse.grids.models import Grid, GridWorker
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.households.service import current_tag_condition
from hub.warehouse.pagination import Page, in_batch, keyset, listed_for, on_postgresql, page_of
from hub.warehouse.scope import scoped, scoped_cases, scoped_tags
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Viewer


class GridRow(NamedTuple):
    id: int
    code: str
    name: str
    level: str
    division_id: int
    parent_id: int | None


class GridWorkerRow(NamedTuple):
    id: int
    worker_no: str
    name: str
    phone: str | None
    grid_id: int


@dataclass(frozen=True, slots=True)
class DepartmentCaseCount:
    department: str
    open: int
    overdue: int


class GridStatisticsRow(NamedTuple):
    """Counts over a grid and its micro-grids (what a dashboard tile shows)."""

    grid_code: str
    households: int
    persons: int
    tags_by_kind: tuple[tuple[str, int], ...]
    cases_by_department: tuple[DepartmentCaseCount, ...]


# The reads select table columns, not ORM attributes: on each execution SQLAlchemy matches the new
# statement's result columns to its cached compilation's, and annotated ORM columns are matched by
# building a SQL `==` expression for each (measured: a third of a one-row lookup's time).
_grids = Grid.__table__.c
_workers = GridWorker.__table__.c

_COLUMNS = (_grids.id, _grids.code, _grids.name, _grids.level, _grids.division_id, _grids.parent_id)


def get_grids(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, GridRow]:
    """The grids with these ids that the viewer may see."""
    connection = session.connection()
    statement = _get_grids_statement(viewer, postgresql=on_postgresql(connection))
    return {row.id: GridRow._make(row) for row in fetch_all(connection, statement, {"ids": list(ids)})}


@functools.lru_cache(maxsize=256)
def _get_grids_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    return scoped(select(*_COLUMNS).where(in_batch(_grids.id, "ids", postgresql=postgresql)), viewer, Grid.id)


def get_grid_by_code(*, session: Session, viewer: Viewer, code: str) -> GridRow | None:
    """The grid with this code, if it exists and the viewer may see it."""
    row = session.connection().execute(_grid_by_code_statement(viewer), {"code": code}).one_or_none()
    return GridRow._make(row) if row else None


@functools.lru_cache(maxsize=256)
def _grid_by_code_statement(viewer: Viewer) -> Select[Any]:
    return scoped(select(*_COLUMNS).where(_grids.code == bindparam("code", type_=String)), viewer, Grid.id)


def list_grids(
    *,
    session: Session,
    viewer: Viewer,
    within: str | None = None,
    level: str | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[GridRow]:
    """Visible grids whose code lies under `within` (a division or grid code, itself excluded), by id."""
    statement = scoped(select(*_COLUMNS), viewer, Grid.id)
    if within is not None:
        statement = statement.where(Grid.code.startswith(within, autoescape=True), Grid.code != within)
    if level is not None:
        statement = statement.where(Grid.level == level)
    rows = [
        GridRow._make(row)
        for row in session.connection().execute(keyset(statement, Grid.id, after=after, first=first))
    ]
    return page_of(rows, first=first, id_of=lambda row: row.id)


def children_of_grids(
    *, session: Session, viewer: Viewer, grid_ids: Sequence[int]
) -> dict[int, list[GridRow]]:
    """Each grid's micro-grids, in code order."""
    statement = functools.partial(_children_of_grids_statement, viewer)
    return listed_for(session, statement, grid_ids, key="parent_id", make=GridRow)


@functools.lru_cache(maxsize=256)
def _children_of_grids_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    return scoped(
        select(*_COLUMNS).where(in_batch(_grids.parent_id, "keys", postgresql=postgresql)),
        viewer,
        Grid.id,
    ).order_by(_grids.code)


def workers_of_grids(*, session: Session, grid_ids: Sequence[int]) -> dict[int, list[GridWorkerRow]]:
    """The workers responsible for each grid."""
    return listed_for(session, _workers_of_grids_statement, grid_ids, key="grid_id", make=GridWorkerRow)


@functools.cache
def _workers_of_grids_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(_workers.id, _workers.worker_no, _workers.name, _workers.phone, _workers.grid_id)
        .where(in_batch(_workers.grid_id, "keys", postgresql=postgresql))
        .order_by(_workers.worker_no)
    )


def statistics_of_grids(
    *, session: Session, viewer: Viewer, grid_codes: Sequence[str], today: dt.date | None = None
) -> dict[str, GridStatisticsRow]:
    """Households, persons, current tags by kind, and open and overdue cases by department over each
    grid's subtree, by grid code: one statement of three aggregates for any number of grids.

    The grids are expected to be visible already (a grid's subtree is in scope when the grid is); case
    and tag counts follow the viewer's department limits.
    """
    statement = _statistics_statement(viewer, roots=len(grid_codes))
    parameters: dict[str, object] = {f"root_{i}": code for i, code in enumerate(grid_codes)}
    parameters["today"] = today or today_in_china()
    counts = {code: (0, 0) for code in grid_codes}
    kinds: dict[str, list[tuple[str, int]]] = {code: [] for code in grid_codes}
    departments: dict[str, list[DepartmentCaseCount]] = {code: [] for code in grid_codes}
    for part, root, key, first, second in session.connection().execute(statement, parameters):
        if part == "people":
            counts[root] = (first, second)
        elif part == "tags":
            kinds[root].append((key, first))
        else:
            departments[root].append(DepartmentCaseCount(department=key, open=first, overdue=second))
    return {
        code: GridStatisticsRow(
            grid_code=code,
            households=counts[code][0],
            persons=counts[code][1],
            tags_by_kind=tuple(kinds[code]),
            cases_by_department=tuple(departments[code]),
        )
        for code in grid_codes
    }


@functools.lru_cache(maxsize=256)
def _statistics_statement(viewer: Viewer, *, roots: int) -> CompoundSelect[Any]:
    """The statement of `statistics_of_grids` for `roots` grids (parameters `root_0` … and `today`),
    built once per viewer's scope and number of grids (a dashboard asks for one)."""
    today = bindparam("today", type_=Date)
    # A grid's subtree is every grid whose code begins with its code (itself included). Each grid's
    # prefix is a parameter of its own, as in `list_households`: joining the grids to themselves on
    # `LIKE root.code || '%'` instead made the planner compare every grid with every root.
    codes = [bindparam(f"root_{i}", type_=String) for i in range(roots)]
    subtree = union_all(
        *(
            select(code.label("root_code"), Grid.id.label("grid_id")).where(Grid.code.startswith(code))
            for code in codes
        )
    ).subquery()
    # The three aggregates travel as one statement (one round trip instead of three), each branch
    # tagged with the part it answers and shaped alike: (part, root code, key, first, second).
    people = (
        select(
            literal("people", String).label("part"),
            subtree.c.root_code,
            literal(None, String).label("key"),
            func.count(func.distinct(Household.id)),
            func.count(func.distinct(HouseholdMember.person_id)),
        )
        .select_from(subtree)
        .join(Household, Household.grid_id == subtree.c.grid_id)
        .outerjoin(
            HouseholdMember,
            (HouseholdMember.household_id == Household.id) & HouseholdMember.valid_to.is_(None),
        )
        .group_by(subtree.c.root_code)
    )
    tags = scoped_tags(
        select(
            literal("tags", String).label("part"),
            subtree.c.root_code,
            PersonTag.kind,
            func.count(func.distinct(PersonTag.person_id)),
            literal(None, Integer),
        )
        .select_from(subtree)
        .join(Household, Household.grid_id == subtree.c.grid_id)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .join(PersonTag, PersonTag.person_id == HouseholdMember.person_id)
        .where(HouseholdMember.valid_to.is_(None), current_tag_condition(today)),
        viewer,
    ).group_by(subtree.c.root_code, PersonTag.kind)
    cases = scoped_cases(
        select(
            literal("cases", String).label("part"),
            subtree.c.root_code,
            Case.department,
            func.sum(case((open_condition(), 1), else_=0)),
            func.sum(case((overdue_condition(today), 1), else_=0)),
        )
        .select_from(subtree)
        .join(Case, Case.grid_id == subtree.c.grid_id)
        .where(open_condition()),
        viewer,
    ).group_by(subtree.c.root_code, Case.department)
    return union_all(people, tags, cases).order_by(
        literal_column("part"), literal_column("root_code"), literal_column("key")
    )
