"""Resolving every source's mentions of people into warehouse persons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, case, literal, select, tuple_
from sqlalchemy.orm import Session

from hub.db.collation import codepoint_order
from hub.db.upsert import batched, insert_missing, key_in, upsert_with_ids, upserted_ids
from hub.resolution.identity import birth_date_of, sex_of
from hub.sources.canonical import Department, PersonRecord, SourceRef
from hub.warehouse.persons.models import Person, PersonSource, UnresolvedMention
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
    """A person as one source record mentions them, with where the record places them."""

    person: PersonRecord
    source: SourceRef
    address: str | None = None
    household_no: str | None = None
    division_code: str | None = None


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
_RANKED_COLUMNS = ("sex", "ethnicity", "birth_date", "phone")


class _Described(Protocol):
    """What a rank weighs of a person: a record's attributes, or a stored person's."""

    @property
    def sex(self) -> str | None: ...
    @property
    def ethnicity(self) -> str | None: ...
    @property
    def birth_date(self) -> dt.date | None: ...
    @property
    def phone(self) -> str | None: ...


def _rank(department: str, record_id: str, person: _Described) -> Rank:
    """Lower is more trusted: the more authoritative source, then the fuller record, then record id.

    A total order, so that whichever order sources load in, the same mention ends up describing
    the person, and a re-run changes nothing.
    """
    filled = sum(getattr(person, column) is not None for column in _RANKED_COLUMNS)
    return (SOURCE_PRIORITY[Department(department)], -filled, record_id)


def resolve_persons(
    *, session: Session, mentions: Sequence[PersonMention], run: LoadRun
) -> tuple[dict[str, int], dict[str, int]]:
    """Person id for every mention's identity key, creating or improving persons as needed.

    A person's attributes come from the most trusted mention seen so far (see `_rank`). A person
    that fuzzy resolution has merged into another resolves to the survivor. Returns the ids and the
    rows written per table.
    """
    best: dict[str, tuple[Rank, PersonMention]] = {}
    for mention in mentions:
        rank = _rank(mention.source.department, mention.source.record_id, mention.person)
        key = identity_key(mention)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, mention)
    stored = _stored(session, list(best))
    rows = []
    for key, (rank, mention) in best.items():
        if key in stored and stored[key].rank < rank:
            continue
        person = mention.person
        number = person.id_number
        content = {
            "identity_key": key,
            "id_number": number,
            "name": person.name,
            # A valid ID number states birth date and sex even where the record does not.
            "sex": person.sex or (sex_of(number) if number else None),
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date or (birth_date_of(number) if number else None),
            "phone": person.phone,
        }
        rows.append(with_provenance(content, source=mention.source, run=run))
    count, ids = upsert_with_ids(session, Person, rows, key=("identity_key",), unless=_stored_ranks_first)
    written = {"persons": count}
    # An update keeps a person's id and leaves `merged_into_id` alone, so `stored` still holds.
    loaded = {key: found.id for key, found in stored.items()}
    loaded.update({key: id_ for (key,), id_ in ids.items()})
    survivors = {
        found.id: found.merged_into_id for found in stored.values() if found.merged_into_id is not None
    }
    written["person_sources"] = _record_sources(session, mentions, loaded, survivors, run)
    return {key: survivors.get(id_, id_) for key, id_ in loaded.items()}, written


def _stored_ranks_first(stored: Any, incoming: Any) -> ColumnElement[bool]:
    """`_rank` in SQL, on the persons' own columns: the stored person ranks before the incoming one.

    The load decides from what it read (`_stored`); this decides when another transaction wrote the
    person after that read (two publishes at once), so the better mention wins whichever commits
    first. A person's columns are at least as filled as the record they came from (an ID number fills
    in sex and birth date), so this never keeps a row the load's own ranking would replace.
    """

    def rank(row: Any) -> ColumnElement[Any]:
        priority = case(
            {department.value: order for department, order in SOURCE_PRIORITY.items()},
            value=row["source_system"],
        )
        empty = sum(
            (case((row[column].is_(None), 1), else_=0) for column in _RANKED_COLUMNS),
            start=literal(0),
        )
        return tuple_(priority, empty, codepoint_order(row["source_record_id"]))

    return rank(stored) < rank(incoming)


@dataclass(frozen=True, slots=True)
class _Stored:
    """A person already in the warehouse: its id, whom it was merged into, and its mention's rank."""

    id: int
    merged_into_id: int | None
    rank: Rank


def _stored(session: Session, keys: list[str]) -> dict[str, _Stored]:
    """The persons with these identity keys, in one look-up per batch: at county scale each key is a
    random read of a million-row index, so a load looks its persons up once, not once for their
    ranks, again for their ids and again for their survivors."""
    # Columns, not Person objects: building ORM objects was most of this look-up's cost.
    columns = (
        Person.identity_key,
        Person.id,
        Person.merged_into_id,
        Person.source_system,
        Person.source_record_id,
        Person.sex,
        Person.ethnicity,
        Person.birth_date,
        Person.phone,
    )
    found: dict[str, _Stored] = {}
    for chunk in batched(keys):
        for person in session.execute(select(*columns).where(key_in(session, Person.identity_key, chunk))):
            rank = _rank(person.source_system, person.source_record_id, person)
            found[person.identity_key] = _Stored(person.id, person.merged_into_id, rank)
    return found


def _record_sources(
    session: Session,
    mentions: Sequence[PersonMention],
    loaded: dict[str, int],
    survivors: dict[int, int],
    run: LoadRun,
) -> int:
    rows = {}
    for mention in mentions:
        loaded_id = loaded[identity_key(mention)]
        person = mention.person
        content = {
            "person_id": survivors.get(loaded_id, loaded_id),
            "loaded_person_id": loaded_id,
            "name_as_sent": person.name_as_sent or person.name,
            "id_number_as_sent": person.id_number_as_sent,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "phone": person.phone,
            "address": mention.address,
            "household_no": mention.household_no,
            "division_code": mention.division_code,
        }
        row = with_provenance(content, source=mention.source, run=run)
        rows[(mention.source.department, mention.source.record_id, loaded_id)] = row
    key = ("source_system", "source_record_id", "loaded_person_id")
    written = upserted_ids(session, PersonSource, list(rows.values()), key=key)
    # A new or changed mention is weighed by the next resolution pass.
    queue_for_resolution(session=session, person_source_ids=written)
    return len(written)


def queue_for_resolution(*, session: Session, person_source_ids: Sequence[int]) -> None:
    """Have the next resolution pass weigh these mentions (`person_sources` ids)."""
    rows = [{"person_source_id": id_} for id_ in person_source_ids]
    insert_missing(session, UnresolvedMention, rows, key=("person_source_id",))
