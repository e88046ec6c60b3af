"""Undoing a merge: each person gets back exactly what its own records said, and stays apart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli import app
from hub.config import get_settings
from hub.db.engine import make_engine, session_factory, transaction
from hub.warehouse.cases.models import CaseParty
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.persons.merges import (
    MergeAlreadyUndone,
    MergeNotFound,
    confirm_same_person,
    list_merges,
    list_reviews,
)
from hub.warehouse.persons.merges import undo_merge as undo_in_warehouse
from hub.warehouse.persons.models import Person, PersonMatch, PersonSource
from hub.warehouse.persons.resolution import resolve_warehouse_persons
from hub.warehouse.provenance import LoadRun
from hub.warehouse.tags.models import PersonTag
from pipelines.review import undo_merge


@pytest.fixture
def loaded_engine(loaded_database_url: str) -> Iterator[Engine]:
    engine = make_engine(loaded_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def noisy_engine(noisy_database_url: str) -> Iterator[Engine]:
    engine = make_engine(noisy_database_url)
    yield engine
    engine.dispose()


def references(engine: Engine, person_ids: set[int]) -> dict[str, Any]:
    """Everything in the warehouse that points at these persons, by table."""
    with session_factory(engine)() as session:
        return {
            "persons": sorted(
                session.execute(
                    select(
                        Person.id, Person.merged_into_id, Person.sex, Person.birth_date, Person.phone
                    ).where(Person.id.in_(person_ids))
                ).all()
            ),
            "mentions": _rows(session, PersonSource, person_ids, PersonSource.loaded_person_id),
            "members": sorted(
                session.execute(
                    select(
                        HouseholdMember.household_id, HouseholdMember.person_id, HouseholdMember.relation
                    ).where(HouseholdMember.person_id.in_(person_ids), HouseholdMember.valid_to.is_(None))
                ).all()
            ),
            "heads": sorted(
                session.execute(
                    select(Household.id, Household.head_person_id).where(
                        Household.head_person_id.in_(person_ids)
                    )
                ).all()
            ),
            "parties": sorted(
                session.execute(
                    select(CaseParty.case_id, CaseParty.person_id, CaseParty.role).where(
                        CaseParty.person_id.in_(person_ids)
                    )
                ).all()
            ),
            "tags": _rows(session, PersonTag, person_ids, PersonTag.kind),
        }


def _rows(session: Session, model: Any, person_ids: set[int], extra: Any) -> list[Any]:
    statement = select(model.source_system, model.source_record_id, model.person_id, extra).where(
        model.person_id.in_(person_ids)
    )
    return sorted(session.execute(statement).all())


def resolve(engine: Engine, run_id: str) -> int:
    with transaction(engine) as session:
        return resolve_warehouse_persons(session=session, run=LoadRun(run_id)).persons_merged


def tables_changed_by(engine: Engine, run_id: str) -> set[str]:
    """The tables with a row that names `run_id` as the run that last changed it."""
    with session_factory(engine)() as session:
        return {
            model.__tablename__
            for model in (Person, PersonSource, HouseholdMember, PersonTag, CaseParty, Household)
            if session.scalar(select(func.count()).select_from(model).where(model.run_id == run_id))
        }


def two_members_of_one_household(engine: Engine) -> tuple[int, int]:
    """Two current members of the first household that has several, one of them with a tag."""
    with session_factory(engine)() as session:
        tagged = select(PersonTag.person_id)
        households = (
            select(HouseholdMember.household_id)
            .where(HouseholdMember.valid_to.is_(None), HouseholdMember.person_id.in_(tagged))
            .group_by(HouseholdMember.household_id)
            .order_by(HouseholdMember.household_id)
        )
        for household_id in session.scalars(households):
            members = session.scalars(
                select(HouseholdMember.person_id)
                .where(HouseholdMember.household_id == household_id, HouseholdMember.valid_to.is_(None))
                .order_by(HouseholdMember.person_id)
            ).all()
            if len(members) >= 2:
                return members[0], members[1]
    raise AssertionError("the golden county has households of several members")


def test_undoing_a_wrong_merge_of_two_household_members_gives_each_back_their_own_rows(
    loaded_engine: Engine,
) -> None:
    pair = two_members_of_one_household(loaded_engine)
    before = references(loaded_engine, set(pair))
    with transaction(loaded_engine) as session:
        confirm_same_person(session=session, person_ids=pair, reviewer="reviewer-1", run_id="review")
    assert resolve(loaded_engine, "wrong-merge") == 1
    merged = references(loaded_engine, set(pair))
    assert merged != before and len({person for _, person, _ in merged["members"]}) == 1
    # Rows a merge changes say so, like any load's: the next quality check looks at them again.
    assert {"persons", "person_sources"} <= tables_changed_by(loaded_engine, "wrong-merge")

    with session_factory(loaded_engine)() as session:
        (merge,) = [
            m
            for m in list_merges(session=session)
            if {m.survivor_person_id, m.absorbed_person_id} == set(pair)
        ]
    assert merge.rule == "reviewed" and merge.undone_at is None
    undone, republished = undo_merge(engine=loaded_engine, match_id=merge.id, run=LoadRun("undo"))

    assert undone.republish, "both members appear in their household's record"
    assert sum(report.publish.published for report in republished) == len(undone.republish)
    assert references(loaded_engine, set(pair)) == before
    assert {"persons", "person_sources"} <= tables_changed_by(loaded_engine, "undo")
    assert resolve(loaded_engine, "after-undo") == 0, "an undone merge is never made again"
    assert references(loaded_engine, set(pair)) == before


def test_undoing_a_fuzzy_merge_returns_the_absorbed_persons_records_and_keeps_the_survivors(
    noisy_engine: Engine,
) -> None:
    with session_factory(noisy_engine)() as session:
        match = session.scalars(
            select(PersonMatch).where(PersonMatch.rule == "fuzzy").order_by(PersonMatch.id).limit(1)
        ).one()
        survivor, absorbed = match.survivor_person_id, match.absorbed_person_id
        own_records = set(
            session.execute(
                select(PersonSource.source_system, PersonSource.source_record_id).where(
                    PersonSource.loaded_person_id == absorbed
                )
            ).all()
        )
    merged = references(noisy_engine, {survivor, absorbed})

    with transaction(noisy_engine) as session:
        undone = undo_in_warehouse(session=session, match_id=match.id)

    after = references(noisy_engine, {survivor, absorbed})
    assert undone.restored_person_ids == (absorbed,) and undone.survivor_person_id == survivor
    assert (absorbed, None) == next((p[0], p[1]) for p in after["persons"] if p[0] == absorbed)
    assert {
        (system, record) for system, record, person, _ in after["mentions"] if person == absorbed
    } == own_records
    # What the survivor's own records said stays with the survivor; nothing is lost or duplicated.
    for table in ("mentions", "tags"):
        assert len(after[table]) == len(merged[table])
        assert all(
            person == absorbed
            for system, record, person, _ in after[table]
            if (system, record) in own_records
        )
    assert resolve(noisy_engine, "after-undo") == 0
    with session_factory(noisy_engine)() as session:
        apart = session.scalar(
            select(func.count())
            .select_from(Person)
            .where(Person.id.in_([survivor, absorbed]), or_(Person.merged_into_id.is_not(None)))
        )
    assert apart == 0


def test_a_merge_is_undone_once_and_an_unknown_one_not_at_all(noisy_engine: Engine) -> None:
    with session_factory(noisy_engine)() as session:
        match_id = session.scalars(select(PersonMatch.id).order_by(PersonMatch.id).limit(1)).one()
    with transaction(noisy_engine) as session:
        undo_in_warehouse(session=session, match_id=match_id)
    with pytest.raises(MergeAlreadyUndone), transaction(noisy_engine) as session:
        undo_in_warehouse(session=session, match_id=match_id)
    with pytest.raises(MergeNotFound), transaction(noisy_engine) as session:
        undo_in_warehouse(session=session, match_id=10**9)


@pytest.fixture
def cli_env(noisy_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The command line pointed at the noisy warehouse (settings are read once per process)."""
    monkeypatch.setenv("HUB_DATABASE_URL", noisy_database_url)
    get_settings.cache_clear()
    yield {"COLUMNS": "200", "NO_COLOR": "1"}
    get_settings.cache_clear()


def test_reviewers_list_merges_and_undo_one_from_the_command_line(cli_env: dict[str, str]) -> None:
    env = cli_env
    runner = CliRunner()
    listed = runner.invoke(app, ["persons", "merges", "--first", "5"], env=env)
    assert listed.exit_code == 0, listed.output
    rows = [line for line in listed.output.splitlines() if line.startswith("│")]
    match_id = int(rows[0].split("│")[1])

    undone = runner.invoke(app, ["persons", "undo-merge", str(match_id)], env=env)
    again = runner.invoke(app, ["persons", "undo-merge", str(match_id)], env=env)

    assert undone.exit_code == 0 and f"merge {match_id} undone" in undone.output, undone.output
    assert again.exit_code == 1 and "was undone at" in again.output


def test_a_reviewer_decides_a_queued_pair_once(noisy_database_url: str, cli_env: dict[str, str]) -> None:
    env = cli_env
    runner = CliRunner()
    engine = make_engine(noisy_database_url)
    with session_factory(engine)() as session:
        pending = list_reviews(session=session)
    engine.dispose()
    assert pending, "realistic noise leaves some pairs to a reviewer"

    decide = ["persons", "review", str(pending[0].id), "--reject", "--reviewer", "auditor-7"]
    first, second = runner.invoke(app, decide, env=env), runner.invoke(app, decide, env=env)
    rejected = runner.invoke(app, ["persons", "reviews", "--status", "rejected"], env=env)

    assert first.exit_code == 0 and "rejected" in first.output, first.output
    assert second.exit_code == 1 and "no pending review" in second.output
    assert "auditor-7" in rejected.output
