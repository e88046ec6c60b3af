"""Loading mentions of people: the most trusted mention describes the person, whoever writes last."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from hub.db.engine import transaction
from hub.simulator.model import County
from hub.sources.canonical import Department, PersonRecord, SourceRef
from hub.warehouse.persons import loading
from hub.warehouse.persons.loading import PersonMention, resolve_persons
from hub.warehouse.persons.models import Person
from hub.warehouse.provenance import LoadRun

RUN = LoadRun("test-run")


def _mentions(county: County) -> tuple[PersonMention, PersonMention]:
    """The register's full mention of an adult with a phone, and civil affairs' bare one of them."""
    person = next(p for p in county.persons if p.phone)
    register = PersonRecord(
        name=person.name,
        id_number=person.id_number,
        id_number_as_sent=person.id_number,
        sex=person.sex,
        ethnicity=person.ethnicity,
        birth_date=person.birth_date,
        phone=person.phone,
    )
    benefits = PersonRecord(name=f"{person.name}（低保）", id_number=person.id_number, id_number_as_sent=None)
    return (
        PersonMention(register, SourceRef(Department.PUBLIC_SECURITY, "H1")),
        PersonMention(benefits, SourceRef(Department.CIVIL_AFFAIRS, "B1")),
    )


def _stored(engine: Engine) -> tuple[str, str | None, str]:
    with transaction(engine) as session:
        row = session.execute(select(Person.name, Person.phone, Person.source_system)).one()
    return row.name, row.phone, row.source_system


@pytest.mark.parametrize("register_first", [True, False])
def test_the_register_describes_the_person_whichever_source_loads_first(
    engine: Engine, golden_county: County, register_first: bool
) -> None:
    register, benefits = _mentions(golden_county)
    for mention in (register, benefits) if register_first else (benefits, register):
        with transaction(engine) as session:
            resolve_persons(session=session, mentions=[mention], run=RUN)

    assert _stored(engine) == (register.person.name, register.person.phone, "public_security")


def test_a_less_trusted_mention_loses_to_one_committed_after_it_was_read(
    engine: Engine, golden_county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two publishes at once: civil affairs read the persons before the register's batch committed.
    register, benefits = _mentions(golden_county)
    with transaction(engine) as session:
        resolve_persons(session=session, mentions=[register], run=RUN)

    def read_before_the_register_committed(*_: Any) -> dict[str, Any]:
        return {}

    monkeypatch.setattr(loading, "_stored", read_before_the_register_committed)
    with transaction(engine) as session:
        ids, _ = resolve_persons(session=session, mentions=[benefits], run=RUN)

    assert _stored(engine) == (register.person.name, register.person.phone, "public_security")
    with transaction(engine) as session:
        assert set(ids.values()) == set(session.scalars(select(Person.id)))
