"""Households: reading households with their members, ratings and moral points."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from hub.db.driver_reads import fetch_all
from hub.warehouse.cases.models import Case, CaseParty
from hub.warehouse.cases.service import open_condition, today_in_china
from hub.warehouse.grids.models import Grid
from hub.warehouse.households.models import Household, HouseholdMember, HouseholdRating, MoralPointEntry
from hub.warehouse.pagination import (
    MAX_PAGE_SIZE,
    Page,
    in_batch,
    keyset,
    listed_for,
    on_postgresql,
    page_of,
)
from hub.warehouse.scope import scoped, scoped_cases, scoped_tags
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Viewer


class HouseholdRow(NamedTuple):
    id: int
    hh_no: str
    address: str
    division_id: int | None
    grid_id: int | None
    head_person_id: int | None


class MemberRow(NamedTuple):
    household_id: int
    person_id: int
    relation: str
    valid_from: dt.date
    valid_to: dt.date | None


class RatingRow(NamedTuple):
    """A household's 十星级文明户 stars for one year."""

    household_id: int
    year: int
    stars: int
    assessed_by: str
    assessed_on: dt.date


class MoralPointRow(NamedTuple):
    """One 道德银行 entry of a household; `balance` is the household's balance after it."""

    household_id: int
    entry_no: str
    recorded_on: dt.date
    reason: str
    points: int
    balance: int


# The reads select table columns, not ORM attributes: on each execution SQLAlchemy matches the new
# statement's result columns to its cached compilation's, and annotated ORM columns are matched by
# building a SQL `==` expression for each (measured: a third of a one-row lookup's time).
_households = Household.__table__.c
_members = HouseholdMember.__table__.c
_ratings = HouseholdRating.__table__.c
_entries = MoralPointEntry.__table__.c

_HOUSEHOLD_COLUMNS = (
    _households.id,
    _households.hh_no,
    _households.address,
    _households.division_id,
    _households.grid_id,
    _households.head_person_id,
)


def get_households(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, HouseholdRow]:
    """The households with these ids that the viewer may see (others are simply absent)."""
    connection = session.connection()
    statement = _get_households_statement(viewer, postgresql=on_postgresql(connection))
    return {row.id: HouseholdRow._make(row) for row in fetch_all(connection, statement, {"ids": list(ids)})}


@functools.lru_cache(maxsize=256)
def _get_households_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    return scoped(
        select(*_HOUSEHOLD_COLUMNS).where(in_batch(_households.id, "ids", postgresql=postgresql)),
        viewer,
        Household.grid_id,
    )


@dataclass(frozen=True, slots=True)
class HouseholdFilter:
    """Which households to list; every given condition must hold.

    `tag_kinds`: a current member holds a current tag of any of these kinds; `address_contains`: the
    registered address contains this text (literally, no wildcards).
    """

    grid_code: str | None = None
    tag_kinds: tuple[str, ...] = ()
    has_tag_from: str | None = None
    has_case_from: str | None = None
    has_open_cases: bool | None = None
    address_contains: str | None = None


def current_tag_condition(today: dt.date | BindParameter[dt.date]) -> ColumnElement[bool]:
    """A tag still valid `today` (which may be a parameter of a statement built once)."""
    return or_(PersonTag.valid_to.is_(None), PersonTag.valid_to >= today)


def list_households(
    *,
    session: Session,
    viewer: Viewer,
    where: HouseholdFilter = HouseholdFilter(),
    today: dt.date | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[HouseholdRow]:
    """Households visible to the viewer and matching `where`, in id order.

    Conditions on members' tags and cases only see the tags and cases the viewer may see, so that a
    filter cannot reveal what the view would hide.
    """
    statement = _households_page_statement(
        viewer,
        grid_code=where.grid_code is not None,
        tag_kinds=bool(where.tag_kinds),
        has_tag_from=where.has_tag_from is not None,
        has_case_from=where.has_case_from is not None,
        has_open_cases=where.has_open_cases,
        after=after is not None,
        first=first,
    )
    if where.address_contains:
        # Escaping the text's wildcards (`autoescape`) needs its value, so this rare condition is
        # added per call rather than built into the statement.
        statement = statement.where(Household.address.contains(where.address_contains, autoescape=True))
    parameters = {
        "grid_code": where.grid_code,
        "tag_kinds": list(where.tag_kinds),
        "today": today or today_in_china(),
        "has_tag_from": where.has_tag_from,
        "has_case_from": where.has_case_from,
        "after": after,
    }
    rows = [HouseholdRow._make(row) for row in session.connection().execute(statement, parameters).all()]
    return page_of(rows, first=first, id_of=lambda row: row.id)


@functools.lru_cache(maxsize=256)
def _households_page_statement(
    viewer: Viewer,
    *,
    grid_code: bool,
    tag_kinds: bool,
    has_tag_from: bool,
    has_case_from: bool,
    has_open_cases: bool | None,
    after: bool,
    first: int,
) -> Select[Any]:
    """The statement of `list_households` for one viewer's scope and the filter's conditions that
    apply (their values are its parameters), built once as the loaders' statements are."""
    statement = scoped(select(*_HOUSEHOLD_COLUMNS), viewer, Household.grid_id)
    if grid_code:
        in_subtree = select(Grid.id).where(Grid.code.startswith(bindparam("grid_code", type_=String)))
        statement = statement.where(Household.grid_id.in_(in_subtree))
    members = select(HouseholdMember.household_id).where(HouseholdMember.valid_to.is_(None))
    if tag_kinds:
        tagged = scoped_tags(
            select(PersonTag.person_id).where(
                PersonTag.kind.in_(bindparam("tag_kinds", expanding=True)),
                current_tag_condition(bindparam("today", type_=Date)),
            ),
            viewer,
        )
        statement = statement.where(Household.id.in_(members.where(HouseholdMember.person_id.in_(tagged))))
    if has_tag_from:
        tagged = scoped_tags(
            select(PersonTag.person_id).where(
                PersonTag.department == bindparam("has_tag_from", type_=String)
            ),
            viewer,
        )
        statement = statement.where(Household.id.in_(members.where(HouseholdMember.person_id.in_(tagged))))
    if has_case_from:
        parties = scoped_cases(
            select(CaseParty.person_id)
            .join(Case, Case.id == CaseParty.case_id)
            .where(Case.department == bindparam("has_case_from", type_=String)),
            viewer,
        )
        statement = statement.where(Household.id.in_(members.where(HouseholdMember.person_id.in_(parties))))
    if has_open_cases is not None:
        open_parties = scoped_cases(
            select(CaseParty.person_id).join(Case, Case.id == CaseParty.case_id).where(open_condition()),
            viewer,
        )
        with_open = Household.id.in_(members.where(HouseholdMember.person_id.in_(open_parties)))
        statement = statement.where(with_open if has_open_cases else ~with_open)
    if after:
        statement = statement.where(_households.id > bindparam("after", type_=Integer))
    return keyset(statement, _households.id, after=None, first=first)


def members_of_households(*, session: Session, household_ids: Sequence[int]) -> dict[int, list[MemberRow]]:
    """Current members of each household, head first, then by relation and person."""
    return listed_for(
        session, _members_of_households_statement, household_ids, key="household_id", make=MemberRow
    )


@functools.cache
def _members_of_households_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(
            _members.household_id,
            _members.person_id,
            _members.relation,
            _members.valid_from,
            _members.valid_to,
        )
        .where(
            in_batch(_members.household_id, "keys", postgresql=postgresql),
            _members.valid_to.is_(None),
        )
        .order_by(_members.household_id, _members.relation, _members.person_id)
    )


def households_of_persons(*, session: Session, person_ids: Sequence[int]) -> dict[int, list[int]]:
    """The households each person currently belongs to."""
    connection = session.connection()
    statement = _households_of_persons_statement(postgresql=on_postgresql(connection))
    found: dict[int, list[int]] = {id_: [] for id_ in person_ids}
    for person_id, household_id in fetch_all(connection, statement, {"person_ids": list(person_ids)}):
        found[person_id].append(household_id)
    return found


@functools.cache
def _households_of_persons_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(_members.person_id, _members.household_id)
        .where(in_batch(_members.person_id, "person_ids", postgresql=postgresql), _members.valid_to.is_(None))
        .order_by(_members.household_id)
    )


def ratings_of_households(*, session: Session, household_ids: Sequence[int]) -> dict[int, list[RatingRow]]:
    """Each household's 十星级文明户 ratings, latest year first (one a year: a short list)."""
    return listed_for(session, _ratings_of_households_statement, household_ids, key="id", make=RatingRow)


@functools.cache
def _ratings_of_households_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(_households.id, _ratings.year, _ratings.stars, _ratings.assessed_by, _ratings.assessed_on)
        .join(HouseholdRating, _ratings.hh_no == _households.hh_no)
        .where(in_batch(_households.id, "keys", postgresql=postgresql))
        .order_by(_households.id, _ratings.year.desc(), _ratings.id)
    )


def moral_points_of_households(
    *, session: Session, household_ids: Sequence[int], latest: int = MAX_PAGE_SIZE
) -> dict[int, list[MoralPointRow]]:
    """Each household's `latest` moral-bank entries, newest first; the first one's balance is current.

    The cut is made per household in SQL, so a household with years of entries costs no more than
    `latest` rows however long its history.
    """
    return listed_for(
        session,
        _moral_points_of_households_statement,
        household_ids,
        key="household_id",
        make=MoralPointRow,
        latest=latest,
    )


@functools.cache
def _moral_points_of_households_statement(*, postgresql: bool) -> Select[Any]:
    newest_first = (_entries.recorded_on.desc(), _entries.entry_no.desc())
    numbered = (
        select(
            _households.id.label("household_id"),
            _entries.entry_no,
            _entries.recorded_on,
            _entries.reason,
            _entries.points,
            _entries.balance,
            func.row_number().over(partition_by=_households.id, order_by=newest_first).label("position"),
        )
        .join(MoralPointEntry, _entries.hh_no == _households.hh_no)
        .where(in_batch(_households.id, "keys", postgresql=postgresql))
        .subquery()
    )
    return (
        select(*(column for column in numbered.c if column.name != "position"))
        .where(numbered.c.position <= bindparam("latest", type_=Integer))
        .order_by(numbered.c.household_id, numbered.c.position)
    )
