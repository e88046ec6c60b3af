"""A loader's statement run straight on psycopg's cursor, compiled once, for the API's reads.

The API's loaders run the same few SELECTs, built once (`hub.warehouse.pagination.in_batch`), with
a different batch of keys each time. Through `Connection.execute` each run still costs SQLAlchemy's
per-execution machinery: the compiled cache's look-up, an execution context, the parameters
processed by a generic path, a result whose metadata makes psycopg describe every column, and a
`Row` per row. Measured on `get_cases` (five cases of 15 columns, PostgreSQL): 283 µs of CPU a
call through SQLAlchemy, 187 µs straight on the cursor; the household view runs seven such
statements, the case view four.

`fetch_all` keeps what SQLAlchemy decides once per statement (its SQL for the dialect, the bind
processors, the result processors, the columns' names) and runs the statement on the connection's
own psycopg connection, firing the engine's `before_cursor_execute` and `after_cursor_execute`
events as SQLAlchemy does (with no execution context), so that statement counts still see it.

Only in autocommit on PostgreSQL, which is how the API reads (`hub.api.database`): there no
transaction of SQLAlchemy's can be bypassed. Anywhere else, and for a statement this cannot run
as SQLAlchemy would (a post-compile parameter, two columns of one name), it is
`Connection.execute(...).all()`.
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import CompoundSelect, Connection, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any]
Statement = Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]


@dataclass(slots=True)
class _Plan:
    """What SQLAlchemy decides once for a statement on PostgreSQL."""

    sql: str
    compiled: Any
    bind_processors: dict[str, Processor]
    row: type[tuple[Any, ...]]
    types: list[Any]
    # By column position, from the first result's column types (some processors depend on them).
    result_processors: list[tuple[int, Processor]] | None = field(default=None)


# None: the statement runs through SQLAlchemy. Weak, because scoped statements are built once per
# viewer and may be dropped by their own caches.
_plans: weakref.WeakKeyDictionary[Statement, _Plan | None] = weakref.WeakKeyDictionary()


def fetch_all(connection: Connection, statement: Statement, parameters: Mapping[str, Any]) -> Sequence[Any]:
    """The statement's rows for `parameters`, as `connection.execute(statement, parameters).all()`
    gives them (named tuples instead of `Row`s when run on the driver: see the module's docstring)."""
    if connection.dialect.name != "postgresql" or not _in_autocommit(connection):
        return connection.execute(statement, parameters).all()
    if statement in _plans:
        plan = _plans[statement]
    else:
        plan = _plans[statement] = _plan(statement, connection.dialect)
    if plan is None:
        return connection.execute(statement, parameters).all()
    return _run(connection, plan, parameters)


def _in_autocommit(connection: Connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _plan(statement: Statement, dialect: Dialect) -> _Plan | None:
    compiled = statement.compile(dialect=dialect)
    names = list(statement.selected_columns.keys())
    post_compiled = compiled.literal_execute_params or compiled.post_compile_params
    if post_compiled or compiled.escaped_bind_names or len(set(names)) != len(names):
        return None
    bind_processors: dict[str, Processor] = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            bind_processors[name] = process
    try:
        row = namedtuple("Row", names)  # type: ignore[misc]
    except ValueError:  # a name namedtuple refuses (a keyword, a leading underscore)
        return None
    return _Plan(
        sql=compiled.string,
        compiled=compiled,
        bind_processors=bind_processors,
        row=row,
        types=[column.type.dialect_impl(dialect) for column in statement.selected_columns],
    )


def _run(connection: Connection, plan: _Plan, parameters: Mapping[str, Any]) -> list[Any]:
    values = plan.compiled.construct_params(parameters)
    for name, process in plan.bind_processors.items():
        values[name] = process(values[name])
    dispatch = connection.dispatch
    driver = connection.connection.dbapi_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        if dispatch.before_cursor_execute:
            dispatch.before_cursor_execute(connection, cursor, plan.sql, values, None, False)
        try:
            cursor.execute(plan.sql, values, prepare=True)
            fetched = cursor.fetchall()
        except psycopg.Error as error:
            raise DBAPIError.instance(plan.sql, values, error, psycopg.Error) from error
        if dispatch.after_cursor_execute:
            dispatch.after_cursor_execute(connection, cursor, plan.sql, values, None, False)
        if plan.result_processors is None:
            plan.result_processors = _result_processors(plan, cursor, connection.dialect)
    make, processors = plan.row, plan.result_processors
    if not processors:
        return [make(*row) for row in fetched]
    rows = []
    for row in fetched:
        values_of = list(row)
        for position, process in processors:
            values_of[position] = process(values_of[position])
        rows.append(make(*values_of))
    return rows


def _result_processors(
    plan: _Plan, cursor: psycopg.Cursor[Any], dialect: Dialect
) -> list[tuple[int, Processor]]:
    result = cursor.pgresult
    assert result is not None
    found = []
    for position, type_ in enumerate(plan.types):
        process = type_.result_processor(dialect, result.ftype(position))
        if process is not None:
            found.append((position, process))
    return found
