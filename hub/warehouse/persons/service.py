"""Persons: turning every source's mentions into warehouse persons, and reading them back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.db.upsert import batched, ids_by_key, upsert
from hub.sources.canonical import Department, PersonRecord, SourceRef
from hub.warehouse.cases.models import Case, CaseParty
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.persons.models import Person, PersonSource
from hub.warehouse.provenance import LoadRun, with_provenance
from hub.warehouse.scope import scoped
from hub.warehouse.viewer import Viewer

# Whose word about a person's identity wins: the household register is the authority on identity.
SOURCE_PRIORITY = {
    Department.PUBLIC_SECURITY: 0,
    Department.REGISTRY: 1,
    Department.CIVIL_AFFAIRS: 2,
    Department.JUSTICE: 3,
    Department.PETITIONS: 4,
}


@dataclass(frozen=True, slots=True)
class PersonMention:
    """A person as one source record mentions them."""

    person: PersonRecord
    source: SourceRef


def identity_key(mention: PersonMention) -> str:
    """The key a mention resolves on: its valid ID number, else the record that mentions it.

    Matching people without an ID across sources (name, birth date, address) is fuzzy resolution's
    job; until it has matched them each stays its own person, never silently merged.
    """
    if mention.person.id_number:
        return f"id:{mention.person.id_number}"
    source = mention.source
    return f"src:{source.department.value}:{source.record_id}:{mention.person.name}"


def resolve_persons(
    *, session: Session, mentions: Sequence[PersonMention], run: LoadRun
) -> tuple[dict[str, int], int]:
    """Person id for every mention's identity key, creating or improving persons as needed.

    A person's attributes come from the most authoritative source that has mentioned them, so the
    result does not depend on the order sources are loaded in. Returns the ids and the rows written.
    """
    best: dict[str, PersonMention] = {}
    for mention in sorted(mentions, key=lambda m: (SOURCE_PRIORITY[m.source.department], m.source.record_id)):
        best.setdefault(identity_key(mention), mention)
    current = _current_sources(session, list(best))
    rows = []
    for key, mention in best.items():
        holder = current.get(key)
        if (
            holder is not None
            and SOURCE_PRIORITY[Department(holder)] < SOURCE_PRIORITY[mention.source.department]
        ):
            continue
        person = mention.person
        content = {
            "identity_key": key,
            "id_number": person.id_number,
            "name": person.name,
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date,
            "phone": person.phone,
        }
        rows.append(with_provenance(content, source=mention.source, run=run))
    written = upsert(session, Person, rows, key=("identity_key",))
    ids = {
        key: id_
        for (key,), id_ in ids_by_key(session, Person, ("identity_key",), ((k,) for k in best)).items()
    }
    written += _record_sources(session, mentions, ids, run)
    return ids, written


def _current_sources(session: Session, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in batched(keys):
        statement = select(Person.identity_key, Person.source_system).where(Person.identity_key.in_(chunk))
        found.update({key: source for key, source in session.execute(statement)})
    return found


def _record_sources(
    session: Session, mentions: Sequence[PersonMention], ids: dict[str, int], run: LoadRun
) -> int:
    rows = {}
    for mention in mentions:
        person_id = ids[identity_key(mention)]
        content = {
            "person_id": person_id,
            "name_as_sent": mention.person.name,
            "id_number_as_sent": mention.person.id_number_as_sent,
        }
        row = with_provenance(content, source=mention.source, run=run)
        rows[(mention.source.department, mention.source.record_id, person_id)] = row
    return upsert(
        session, PersonSource, list(rows.values()), key=("source_system", "source_record_id", "person_id")
    )


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
