"""Persons: reading resolved persons and what each source said about them."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from hub.db.driver_reads import fetch_all
from hub.warehouse.cases.models import Case, CaseParty
from hub.warehouse.cases.service import PartyRow, today_in_china
from hub.warehouse.grids.models import Grid
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.households.service import MemberRow, current_tag_condition
from hub.warehouse.pagination import AnySelect, Page, in_batch, keyset, listed_for, on_postgresql, page_of
from hub.warehouse.persons.models import Person, PersonSource
from hub.warehouse.scope import scoped, scoped_cases, scoped_tags
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Viewer


class PersonRow(NamedTuple):
    id: int
    id_number: str | None
    name: str
    sex: str | None
    ethnicity: str | None
    birth_date: dt.date | None
    phone: str | None


class PersonSourceRow(NamedTuple):
    """What one source record said about a person."""

    person_id: int
    department: str
    record_id: str
    name_as_sent: str
    id_number_as_sent: str | None


@dataclass(frozen=True, slots=True)
class PersonFilter:
    """Which persons to list; every given condition must hold.

    `grid_code`: a current member of a household in this grid subtree; `tag_kinds`: holds a current
    tag of any of these kinds; `id_number`: exactly this 18-digit number; `name`: exactly this name.
    """

    grid_code: str | None = None
    tag_kinds: tuple[str, ...] = ()
    id_number: str | None = None
    name: str | None = None


# The reads select table columns, not ORM attributes: on each execution SQLAlchemy matches the new
# statement's result columns to its cached compilation's, and annotated ORM columns are matched by
# building a SQL `==` expression for each (measured: a third of a one-row lookup's time).
_persons = Person.__table__.c
_sources = PersonSource.__table__.c

_PERSON_COLUMNS = (
    _persons.id,
    _persons.id_number,
    _persons.name,
    _persons.sex,
    _persons.ethnicity,
    _persons.birth_date,
    _persons.phone,
)


def _visible_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Persons the viewer may see: members of a household in scope, or parties to a case in scope;
    None when the viewer sees every person."""
    if viewer.sees_every_grid:
        return None
    # Never correlated: joined to a party or member row, `case_parties` or `household_members` is in
    # the enclosing query too, and the subqueries must still read the whole table.
    members = scoped(select(HouseholdMember.person_id).join(Household), viewer, Household.grid_id)
    parties = scoped_cases(select(CaseParty.person_id).join(Case), viewer)
    return or_(Person.id.in_(members.correlate(None)), Person.id.in_(parties.correlate(None)))


def _visible(statement: AnySelect, viewer: Viewer) -> AnySelect:
    condition = _visible_condition(viewer)
    return statement if condition is None else statement.where(condition)


def _visible_person_on(person_id: ColumnElement[int], viewer: Viewer) -> ColumnElement[bool]:
    """The join condition of an outer join to the person a row names, when the viewer may see them."""
    condition = _visible_condition(viewer)
    return Person.id == person_id if condition is None else and_(Person.id == person_id, condition)


def _person_row(values: Sequence[object]) -> PersonRow | None:
    """The person columns of a row outer-joined to `persons`; None when no visible person matched."""
    return None if values[0] is None else PersonRow._make(values)


def get_persons(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, PersonRow]:
    """The persons with these ids that the viewer may see: those in a household or case in scope."""
    connection = session.connection()
    statement = _get_persons_statement(viewer, postgresql=on_postgresql(connection))
    # Positional: the columns are selected in the row's field order, and building each row from
    # `row._mapping` cost a mapping view per row (measured: a quarter of a 290-person batch's time).
    return {row.id: PersonRow._make(row) for row in fetch_all(connection, statement, {"ids": list(ids)})}


@functools.lru_cache(maxsize=256)
def _get_persons_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    return _visible(
        select(*_PERSON_COLUMNS).where(in_batch(_persons.id, "ids", postgresql=postgresql)), viewer
    )


def list_persons(
    *,
    session: Session,
    viewer: Viewer,
    where: PersonFilter = PersonFilter(),
    today: dt.date | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[PersonRow]:
    """Persons visible to the viewer and matching `where`, in id order."""
    statement = _visible(select(*_PERSON_COLUMNS), viewer)
    if where.grid_code is not None:
        in_subtree = (
            select(HouseholdMember.person_id)
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(Grid, Grid.id == Household.grid_id)
            .where(Grid.code.startswith(where.grid_code), HouseholdMember.valid_to.is_(None))
        )
        statement = statement.where(Person.id.in_(in_subtree))
    if where.tag_kinds:
        tagged = scoped_tags(
            select(PersonTag.person_id).where(
                PersonTag.kind.in_(where.tag_kinds), current_tag_condition(today or today_in_china())
            ),
            viewer,
        )
        statement = statement.where(Person.id.in_(tagged))
    if where.id_number is not None:
        statement = statement.where(Person.id_number == where.id_number)
    if where.name is not None:
        statement = statement.where(Person.name == where.name)
    rows = [
        PersonRow._make(row)
        for row in session.connection().execute(keyset(statement, Person.id, after=after, first=first))
    ]
    return page_of(rows, first=first, id_of=lambda row: row.id)


def sources_of_persons(*, session: Session, person_ids: Sequence[int]) -> dict[int, list[PersonSourceRow]]:
    """Every source record that mentions each person: the person's provenance."""
    return listed_for(
        session, _sources_of_persons_statement, person_ids, key="person_id", make=PersonSourceRow
    )


@functools.cache
def _sources_of_persons_statement(*, postgresql: bool) -> Select[Any]:
    return (
        select(
            _sources.person_id,
            _sources.source_system,
            _sources.source_record_id,
            _sources.name_as_sent,
            _sources.id_number_as_sent,
        )
        .where(in_batch(_sources.person_id, "keys", postgresql=postgresql))
        .order_by(_sources.person_id, _sources.source_system, _sources.source_record_id)
    )


def parties_with_persons(
    *, session: Session, case_ids: Sequence[int], viewer: Viewer
) -> dict[int, list[tuple[PartyRow, PersonRow | None]]]:
    """Each case's parties (as `parties_of_cases` orders them), each with its person when the viewer
    may see them: a case view's `parties { person }` in one statement instead of two."""
    connection = session.connection()
    statement = _parties_with_persons_statement(viewer, postgresql=on_postgresql(connection))
    found: dict[int, list[tuple[PartyRow, PersonRow | None]]] = {id_: [] for id_ in case_ids}
    rows = fetch_all(connection, statement, {"case_ids": list(case_ids)})
    for case_id, person_id, role, *person in rows:
        found[case_id].append((PartyRow(case_id, person_id, role), _person_row(person)))
    return found


@functools.lru_cache(maxsize=256)
def _parties_with_persons_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    parties = CaseParty.__table__.c
    return (
        select(parties.case_id, parties.person_id, parties.role, *_PERSON_COLUMNS)
        .select_from(CaseParty.__table__)
        .outerjoin(Person, _visible_person_on(parties.person_id, viewer))
        .where(in_batch(parties.case_id, "case_ids", postgresql=postgresql))
        .order_by(parties.case_id, parties.id)
    )


def members_with_persons(
    *, session: Session, household_ids: Sequence[int], viewer: Viewer
) -> dict[int, list[tuple[MemberRow, PersonRow | None]]]:
    """Each household's current members (as `members_of_households` orders them), each with its
    person when the viewer may see them: `members { person }` in one statement instead of two."""
    connection = session.connection()
    statement = _members_with_persons_statement(viewer, postgresql=on_postgresql(connection))
    found: dict[int, list[tuple[MemberRow, PersonRow | None]]] = {id_: [] for id_ in household_ids}
    for row in fetch_all(connection, statement, {"household_ids": list(household_ids)}):
        found[row[0]].append((MemberRow._make(row[:5]), _person_row(row[5:])))
    return found


@functools.lru_cache(maxsize=256)
def _members_with_persons_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    members = HouseholdMember.__table__.c
    return (
        select(
            members.household_id, members.person_id, members.relation, members.valid_from, members.valid_to
        )
        .add_columns(*_PERSON_COLUMNS)
        .select_from(HouseholdMember.__table__)
        .outerjoin(Person, _visible_person_on(members.person_id, viewer))
        .where(
            in_batch(members.household_id, "household_ids", postgresql=postgresql), members.valid_to.is_(None)
        )
        .order_by(members.household_id, members.relation, members.person_id)
    )
