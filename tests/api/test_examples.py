"""The example queries (GraphiQL tabs, README) run cleanly on the golden county, and GraphiQL opens them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.api.examples import EXAMPLES, ExampleQuery
from tests.support.graphql import execute
from tests.support.warehouse import hub_settings


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.title)
def test_example_query_runs_and_finds_data(engine: Engine, example: ExampleQuery) -> None:
    result = execute(example.query, engine=engine)

    assert result.errors is None, result.errors
    assert result.data and all(value for value in result.data.values())


def test_graphiql_opens_with_the_examples_as_tabs(engine: Engine, tmp_path: Path) -> None:
    settings = hub_settings(database_url=str(engine.url), var_dir=tmp_path)
    with TestClient(create_app(settings, engine=engine)) as client:
        page = client.get("/graphql", headers={"accept": "text/html"}).text

    assert "defaultTabs: HUB_EXAMPLE_TABS" in page
    assert "query GridDashboard" in page and "query CaseView" in page
