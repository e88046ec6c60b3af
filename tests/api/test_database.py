"""An operation reads through one session, and the API never waits for the pool on its event loop."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, text
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.api.database import api_engine
from hub.config import Settings
from hub.db.engine import make_engine
from tests.support.graphql import execute

VIEW = """
query View($first: Int!) {
  households(first: $first) {
    edges { node {
      members { person { name } } tags { kind } cases { caseNo parties { role } events { at } }
    } }
  }
}"""


@pytest.fixture
def one_connection(engine: Engine) -> Iterator[Engine]:
    """The same warehouse through a pool of a single connection that gives up after two seconds."""
    small = make_engine(
        engine.url.render_as_string(hide_password=False), pool_size=1, max_overflow=0, pool_timeout=2
    )
    yield small
    small.dispose()


def test_an_operation_reads_through_one_connection(engine: Engine) -> None:
    checkouts: list[object] = []

    def checkout(*_: Any) -> None:
        checkouts.append(object())

    event.listen(engine, "checkout", checkout)
    try:
        result = execute(VIEW, engine=engine, variables={"first": 20})
    finally:
        event.remove(engine, "checkout", checkout)

    assert result.errors is None
    assert len(checkouts) == 1


def test_an_operation_reads_and_logs_outside_any_transaction(engine: Engine) -> None:
    """Autocommit: no BEGIN or COMMIT round trip around an operation's statements."""
    open_transaction: list[bool] = []

    def record(connection: Any, *_: Any) -> None:
        driver = connection.connection.driver_connection
        if connection.dialect.name == "postgresql":
            open_transaction.append(driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)
        else:
            open_transaction.append(driver.in_transaction)

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = execute(VIEW, engine=engine, variables={"first": 5})
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert result.errors is None
    assert open_transaction and not any(open_transaction)


def test_more_requests_than_connections_are_all_answered(one_connection: Engine) -> None:
    app = create_app(Settings(_env_file=None), engine=one_connection)  # type: ignore[call-arg]
    body = {"query": VIEW, "variables": {"first": 5}}

    with TestClient(app) as client, ThreadPoolExecutor(6) as requests:
        responses = list(requests.map(lambda _: client.post("/graphql", json=body), range(12)))

    assert [response.status_code for response in responses] == [200] * 12
    assert all("errors" not in response.json() for response in responses)


# Only a database server ends sessions: PostgreSQL alone, not a SQLite file.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_connection_the_server_ended_is_replaced_before_an_operation_uses_it(engine: Engine) -> None:
    api = api_engine(engine.url.render_as_string(hide_password=False))
    try:
        with api.connect() as connection:
            ended = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as connection:
            # As a restart does: the session ends and its socket closes (waits up to 5 s for it).
            terminate = text("SELECT pg_terminate_backend(:pid, 5000)")
            assert connection.execute(terminate, {"pid": ended}).scalar()

        result = execute(VIEW, engine=api, variables={"first": 5})

        assert result.errors is None and result.data["households"]["edges"]
        with api.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != ended
    finally:
        api.dispose()
