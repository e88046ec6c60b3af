"""Persons: turning every source's mentions into warehouse persons, and reading them back."""

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
        if holder is not None and SOURCE_PRIORITY[Department(holder)] < SOURCE_PRIORITY[mention.source.department]:
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
    ids = {key: id_ for (key,), id_ in ids_by_key(session, Person, ("identity_key",), ((k,) for k in best)).items()}
    written += _record_sources(session, mentions, ids, run)
    return ids, written


def _current_sources(session: Session, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in batched(keys):
        statement = select(Person.identity_key, Person.source_system).where(Person.identity_key.in_(chunk))
        found.update({key: source for key, source in session.execute(statement)})
    return found


def _record_sources(session: Session, mentions: Sequence[PersonMention], ids: dict[str, int], run: LoadRun) -> int:
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
    return upsert(session, PersonSource, list(rows.values()), key=("source_system", "source_record_id", "person_id"))
