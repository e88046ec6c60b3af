"""Loader statements run on the driver read exactly what SQLAlchemy reads, and stay countable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, or_, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.api.database import api_engine
from hub.db.driver_reads import fetch_all
from hub.db.engine import session_factory
from hub.warehouse.cases import service as cases
from hub.warehouse.cases.models import Case, CaseLink, CaseParty
from hub.warehouse.grids import service as grids
from hub.warehouse.grids.models import Grid
from hub.warehouse.households import service as households
from hub.warehouse.households.models import Household
from hub.warehouse.persons import service as persons
from hub.warehouse.tags import service as tags
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import SYSTEM_VIEWER

Read = Callable[[Session], dict[Any, Any]]


@pytest.fixture(scope="module")
def reader(loaded_template: str) -> Iterator[Engine]:
    engine = api_engine(loaded_template)
    yield engine
    engine.dispose()


def _ids(engine: Engine, column: Any, *, where: Any = None) -> list[int]:
    statement = select(column).distinct().order_by(column).limit(40)
    with engine.connect() as connection:
        return list(connection.scalars(statement if where is None else statement.where(where)))


def _reads(engine: Engine) -> dict[str, Read]:
    """Every loader service the API calls, each on a batch of keys that finds rows in the golden county."""
    case_ids = _ids(engine, CaseParty.case_id)
    linked = _ids(engine, CaseLink.case_id)
    person_ids = _ids(engine, PersonTag.person_id)
    party_ids = _ids(engine, CaseParty.person_id)
    household_ids = _ids(engine, Household.id)
    grid_ids = _ids(engine, Grid.id)
    parents = _ids(engine, Grid.parent_id, where=Grid.parent_id.is_not(None))
    viewer = SYSTEM_VIEWER
    return {
        "get_cases": lambda s: cases.get_cases(session=s, viewer=viewer, ids=case_ids),
        "cases_of_persons": lambda s: cases.cases_of_persons(session=s, viewer=viewer, person_ids=party_ids),
        "parties_of_cases": lambda s: cases.parties_of_cases(session=s, case_ids=case_ids),
        "links_of_cases": lambda s: cases.links_of_cases(session=s, case_ids=linked),
        "events_of_cases": lambda s: cases.events_of_cases(session=s, case_ids=case_ids),
        "links_with_cases": lambda s: cases.links_with_cases(session=s, viewer=viewer, case_ids=linked),
        "get_grids": lambda s: grids.get_grids(session=s, viewer=viewer, ids=grid_ids),
        "children_of_grids": lambda s: grids.children_of_grids(session=s, viewer=viewer, grid_ids=parents),
        "workers_of_grids": lambda s: grids.workers_of_grids(session=s, grid_ids=grid_ids),
        "get_persons": lambda s: persons.get_persons(session=s, viewer=viewer, ids=party_ids),
        "sources_of_persons": lambda s: persons.sources_of_persons(session=s, person_ids=party_ids),
        "parties_with_persons": lambda s: persons.parties_with_persons(
            session=s, viewer=viewer, case_ids=case_ids
        ),
        "members_with_persons": lambda s: persons.members_with_persons(
            session=s, viewer=viewer, household_ids=household_ids
        ),
        "get_households": lambda s: households.get_households(session=s, viewer=viewer, ids=household_ids),
        "members_of_households": lambda s: households.members_of_households(
            session=s, household_ids=household_ids
        ),
        "households_of_persons": lambda s: households.households_of_persons(session=s, person_ids=party_ids),
        "ratings_of_households": lambda s: households.ratings_of_households(
            session=s, household_ids=household_ids
        ),
        "moral_points_of_households": lambda s: households.moral_points_of_households(
            session=s, household_ids=household_ids, latest=3
        ),
        "tags_of_persons": lambda s: tags.tags_of_persons(session=s, viewer=viewer, person_ids=person_ids),
    }


def _read(engine: Engine, read: Read, *, autocommit: bool) -> tuple[dict[Any, Any], list[object]]:
    """What `read` returns on a session of its own, and the execution context of each statement it ran
    (None for a statement run on the driver)."""
    contexts: list[object] = []

    def record(
        _connection: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool
    ) -> None:
        contexts.append(context)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with session_factory(engine)() as session:
            if autocommit:
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            found = read(session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return found, contexts


def test_every_loader_reads_in_autocommit_what_it_reads_in_a_transaction(
    reader: Engine, backend: str
) -> None:
    for name, read in _reads(reader).items():
        direct, direct_contexts = _read(reader, read, autocommit=True)
        through_sqlalchemy, contexts = _read(reader, read, autocommit=False)

        assert any(direct.values()), f"{name} found nothing to compare"
        assert direct == through_sqlalchemy, name
        # Each statement is seen by the engine's events either way, once.
        assert len(direct_contexts) == len(contexts) == 1, name
        assert contexts[0] is not None
        if backend == "postgresql":
            assert direct_contexts == [None], f"{name} did not run on the driver"
        else:
            assert direct_contexts[0] is not None  # SQLite: always through SQLAlchemy


def test_rows_read_on_the_driver_have_the_columns_names_and_converted_values(reader: Engine) -> None:
    closed_or_open = or_(Case.id < 30, Case.closed_at.is_(None))
    statement = (
        select(Case.id, Case.case_no, Case.opened_at, Case.closed_at)
        .where(closed_or_open)
        .order_by(Case.id)
        .limit(60)
    )
    with session_factory(reader)() as session:
        connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        expected = connection.execute(statement).all()
        rows = fetch_all(connection, statement, {})
        again = fetch_all(connection, statement, {})

    assert rows == again == [tuple(row) for row in expected] and rows
    assert [row.case_no for row in rows] == [row.case_no for row in expected]
    # UtcDateTime's result processor: aware datetimes, as SQLAlchemy returns them.
    assert all(row.opened_at.tzinfo is not None for row in rows)
    assert {row.closed_at is None for row in rows} == {True, False}


def test_a_failing_statement_on_the_driver_raises_sqlalchemys_error(reader: Engine, backend: str) -> None:
    statement = select(func.count()).select_from(text("no_such_table"))
    with session_factory(reader)() as session:
        connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        with pytest.raises(DBAPIError, match="no_such_table"):
            fetch_all(connection, statement, {})
        # The connection still serves the next read.
        assert fetch_all(connection, select(func.count()).select_from(Case), {})[0][0] > 0
