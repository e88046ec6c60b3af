"""An operation reads through one session, and the API never waits for the pool on its event loop."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from hub.api.app import create_app
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


def test_more_requests_than_connections_are_all_answered(one_connection: Engine) -> None:
    app = create_app(Settings(_env_file=None), engine=one_connection)  # type: ignore[call-arg]
    body = {"query": VIEW, "variables": {"first": 5}}

    with TestClient(app) as client, ThreadPoolExecutor(6) as requests:
        responses = list(requests.map(lambda _: client.post("/graphql", json=body), range(12)))

    assert [response.status_code for response in responses] == [200] * 12
    assert all("errors" not in response.json() for response in responses)
