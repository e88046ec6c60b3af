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


Rank = tuple[int, int, str]


def _rank(department: str, record_id: str, person: PersonRecord | Person) -> Rank:
    """Lower is more trusted: the more authoritative source, then the fuller record, then record id.

    A total order, so that whichever order sources load in, the same mention ends up describing
    the person, and a re-run changes nothing.
    """
    filled = sum(v is not None for v in (person.sex, person.ethnicity, person.birth_date, person.phone))
    return (SOURCE_PRIORITY[Department(department)], -filled, record_id)


def resolve_persons(
    *, session: Session, mentions: Sequence[PersonMention], run: LoadRun
) -> tuple[dict[str, int], dict[str, int]]:
    """Person id for every mention's identity key, creating or improving persons as needed.

    A person's attributes come from the most trusted mention seen so far (see `_rank`). Returns the
    ids and the rows written per table.
    """
    best: dict[str, tuple[Rank, PersonMention]] = {}
    for mention in mentions:
        rank = _rank(mention.source.department, mention.source.record_id, mention.person)
        key = identity_key(mention)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, mention)
    current = _current_ranks(session, list(best))
    rows = []
    for key, (rank, mention) in best.items():
        if key in current and current[key] < rank:
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
    written = {"persons": upsert(session, Person, rows, key=("identity_key",))}
    ids = {
        key: id_
        for (key,), id_ in ids_by_key(session, Person, ("identity_key",), ((k,) for k in best)).items()
    }
    written["person_sources"] = _record_sources(session, mentions, ids, run)
    return ids, written


def _current_ranks(session: Session, keys: list[str]) -> dict[str, Rank]:
    found: dict[str, Rank] = {}
    for chunk in batched(keys):
        for person in session.scalars(select(Person).where(Person.identity_key.in_(chunk))):
            found[person.identity_key] = _rank(person.source_system, person.source_record_id, person)
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
