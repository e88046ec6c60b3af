"""Persons: reading resolved persons and what each source said about them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.warehouse.cases.models import Case, CaseParty
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.persons.models import Person, PersonSource
from hub.warehouse.scope import scoped
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


def get_persons(*, session: Session, viewer: Viewer, ids: Sequence[int]) -> dict[int, PersonRow]:
    """The persons with these ids that the viewer may see: those in a household or case in scope."""
    statement = select(Person).where(Person.id.in_(ids))
    if not viewer.sees_everything:
        statement = statement.where(
            or_(
                Person.id.in_(
                    scoped(
                        select(HouseholdMember.person_id).join(Household),
                        viewer,
                        Household.grid_id,
                    )
                ),
                Person.id.in_(scoped(select(CaseParty.person_id).join(Case), viewer, Case.grid_id)),
            )
        )
    return {
        p.id: PersonRow(
            id=p.id,
            id_number=p.id_number,
            name=p.name,
            sex=p.sex,
            ethnicity=p.ethnicity,
            birth_date=p.birth_date,
            phone=p.phone,
        )
        for p in session.scalars(statement)
    }


def sources_of_persons(*, session: Session, person_ids: Sequence[int]) -> dict[int, list[PersonSourceRow]]:
    """Every source record that mentions each person: the person's provenance."""
    statement = (
        select(PersonSource)
        .where(PersonSource.person_id.in_(person_ids))
        .order_by(PersonSource.person_id, PersonSource.source_system, PersonSource.source_record_id)
    )
    found: dict[int, list[PersonSourceRow]] = {id_: [] for id_ in person_ids}
    for s in session.scalars(statement):
        found[s.person_id].append(
            PersonSourceRow(
                person_id=s.person_id,
                department=s.source_system,
                record_id=s.source_record_id,
                name_as_sent=s.name_as_sent,
                id_number_as_sent=s.id_number_as_sent,
            )
        )
    return found
