"""The README's example queries run against the golden county without errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from hub.config import PROJECT_ROOT
from tests.support.databases import copy_of
from tests.support.graphql import execute, warehouse_engine

QUERIES = re.findall(r"```graphql\n(.*?)```", (PROJECT_ROOT / "README.md").read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def engine(loaded_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    # A copy: reads of persons write the access log.
    with copy_of(loaded_template, tmp_path_factory.mktemp("readme")) as url, warehouse_engine(url) as engine:
        yield engine


def test_the_readme_shows_queries() -> None:
    assert len(QUERIES) >= 4


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.split("{")[0].strip() or "anonymous")
def test_readme_query_runs(engine: Engine, query: str) -> None:
    result = execute(query, engine=engine)

    assert result.errors is None, result.errors
    assert result.data
