"""Resolving every source's mentions of people into warehouse persons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.upsert import batched, ids_by_key, upsert
from hub.sources.canonical import Department, PersonRecord, SourceRef
from hub.warehouse.persons.models import Person, PersonSource
from hub.warehouse.provenance import LoadRun, with_provenance

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
