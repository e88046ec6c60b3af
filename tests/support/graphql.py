"""Executing the real schema in-process, as a given viewer, against a given warehouse."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from strawberry.types import ExecutionResult

from hub.api.context import build_context
from hub.api.schema import build_schema
from hub.config import Settings
from hub.db.engine import make_engine, session_factory
from hub.warehouse.viewer import Role, Viewer

ADMIN = Viewer(user_id="test-admin", role=Role.ADMIN)
SCHEMA = build_schema(production=False)


def execute(
    query: str, *, engine: Engine, viewer: Viewer = ADMIN, variables: dict[str, Any] | None = None
) -> ExecutionResult:
    """Run one operation the way a request would: fresh loaders, sessions from `engine`."""
    context = build_context(
        viewer=viewer, sessions=session_factory(engine), settings=Settings(_env_file=None)
    )  # type: ignore[call-arg]
    return asyncio.run(SCHEMA.execute(query, variable_values=variables, context_value=context))


@contextmanager
def warehouse_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement `engine` executes inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
