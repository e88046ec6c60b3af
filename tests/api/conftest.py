"""The API tests' warehouse: one copy of the golden county per module and backend.

The API writes to the access log on every read of a person, so the tests read from a copy of the
loaded template rather than the template itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.support.databases import copy_of
from tests.support.graphql import warehouse_engine


@pytest.fixture(scope="module")
def engine(loaded_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with (
        copy_of(loaded_template, tmp_path_factory.mktemp("api")) as url,
        warehouse_engine(url) as engine,
    ):
        yield engine
