"""Persons: reading resolved persons and what each source said about them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.warehouse.cases.models import Case, CaseParty
from hub.warehouse.cases.service import today_in_china
from hub.warehouse.grids.models import Grid
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.households.service import current_tag_condition
from hub.warehouse.pagination import AnySelect, Page, id_in, keyset, page_of
from hub.warehouse.persons.models import Person, PersonSource
from hub.warehouse.scope import scoped, scoped_cases, scoped_tags
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Viewer


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    id_number: str | None
    name: str
    sex: str | None
    ethnicity: str | None
    birth_date: dt.date | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class PersonSourceRow:
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


def _visible(statement: AnySelect, viewer: Viewer) -> AnySelect:
    """Persons the viewer may see: members of a household in scope, or parties to a case in scope."""
    if viewer.sees_every_grid:
        return statement
    return statement.where(
        or_(
            Person.id.in_(
                scoped(select(HouseholdMember.person_id).join(Household), viewer, Household.grid_id)
            ),
            Person.id.in_(scoped_cases(select(CaseParty.person_id).join(Case), viewer)),
        )
    )


def get_persons(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, PersonRow]:
    """The persons with these ids that the viewer may see: those in a household or case in scope."""
    statement = _visible(select(*_PERSON_COLUMNS).where(id_in(session, Person.id, ids)), viewer)
    return {row.id: PersonRow(**row._mapping) for row in session.connection().execute(statement)}


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
        PersonRow(**row._mapping)
        for row in session.connection().execute(keyset(statement, Person.id, after=after, first=first))
    ]
    return page_of(rows, first=first, id_of=lambda row: row.id)


def sources_of_persons(*, session: Session, person_ids: Sequence[int]) -> dict[int, list[PersonSourceRow]]:
    """Every source record that mentions each person: the person's provenance."""
    statement = (
        select(
            _sources.person_id,
            _sources.source_system,
            _sources.source_record_id,
            _sources.name_as_sent,
            _sources.id_number_as_sent,
        )
        .where(id_in(session, PersonSource.person_id, person_ids))
        .order_by(PersonSource.person_id, PersonSource.source_system, PersonSource.source_record_id)
    )
    found: dict[int, list[PersonSourceRow]] = {id_: [] for id_ in person_ids}
    for row in session.connection().execute(statement):
        found[row.person_id].append(PersonSourceRow(*row))
    return found
