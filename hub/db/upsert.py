"""Idempotent bulk upsert on natural keys, one statement shape for SQLite and PostgreSQL.

A row is written only when it is new or its `row_hash` changed, so that re-running the same extract
changes nothing (not even run ids or load times) and the count of written rows is exact.

On PostgreSQL a batch travels as one array per column, unnested by the server
(`INSERT … SELECT unnest(:a), unnest(:b) …`): the statement's text is short and the same for every
batch. A many-row VALUES list (SQLAlchemy's insertmanyvalues) has a placeholder per value, and psycopg
parses such a statement placeholder by placeholder on every execution, which was three quarters of
the households load there (py-spy, 30,000 persons). SQLite keeps the VALUES list: it has no arrays.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from itertools import islice
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

BATCH_SIZE = 1000


def row_hash(values: Mapping[str, Any]) -> str:
    """A stable digest of a row's content (dates, enums and decimals included)."""
    return hashlib.sha1(orjson.dumps(dict(values), default=_encode, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def batched(items: Iterable[Any], size: int = BATCH_SIZE) -> Iterable[list[Any]]:
    """`items` in lists of at most `size` (itertools.batched arrives only in Python 3.12)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _table(model: type[DeclarativeBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def upsert(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
) -> int:
    """Insert `rows`, updating existing ones (matched on `key`) whose `row_hash` differs.

    Returns how many rows were inserted or changed. Every row must carry `row_hash`.
    """
    if not rows:
        return 0
    # One statement may not touch a row twice (PostgreSQL refuses); the last version of a key wins.
    rows = list({tuple(row[name] for name in key): row for row in rows}.values())
    table = _table(model)
    names = list(rows[0])
    insertion = _insertion(session, table, names)
    statement = insertion.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={name: insertion.excluded[name] for name in names if name not in key},
        where=table.c.row_hash != insertion.excluded.row_hash,
    ).returning(table.c.id)
    written = 0
    for chunk in batched(rows, BATCH_SIZE):
        written += len(session.execute(statement, _parameters(session, names, chunk)).all())
    return written


def insert_missing(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
) -> set[tuple[Any, ...]]:
    """Insert the rows whose `key` is not there yet; return the keys that were inserted."""
    if not rows:
        return set()
    table = _table(model)
    names = list(rows[0])
    statement = (
        _insertion(session, table, names)
        .on_conflict_do_nothing(index_elements=[table.c[name] for name in key])
        .returning(*(table.c[name] for name in key))
    )
    inserted: set[tuple[Any, ...]] = set()
    for chunk in batched(rows, BATCH_SIZE):
        inserted.update(tuple(row) for row in session.execute(statement, _parameters(session, names, chunk)))
    return inserted


def insert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, returning: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Insert `rows` (all with the same columns) in batches; the `returning` columns of every row
    inserted come back in no particular order."""
    if not rows:
        return []
    names = list(rows[0])
    if not returning and not _postgresql(session):
        _sqlite_executemany(session, table, names, rows)
        return []
    statement = _insertion(session, table, names)
    if returning:
        statement = statement.returning(*returning)
    found: list[tuple[Any, ...]] = []
    for chunk in batched(rows, BATCH_SIZE):
        result = session.execute(statement, _parameters(session, names, chunk))
        if returning:
            found.extend(tuple(row) for row in result)
    return found


def _sqlite_executemany(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """One driver executemany, each value bound by its column's own type.

    SQLAlchemy's executemany builds and processes a parameter dictionary per row: at county scale
    that was a fifth of staging on SQLite (py-spy, 1,000,000 persons), more than SQLite's own work.
    """
    connection = session.connection()
    dialect = connection.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=list(names))
    order = list(compiled.positiontup or ())
    if set(order) != set(names):  # a column default SQLAlchemy fills in per row: let it
        session.execute(sqlite.insert(table), rows)
        return
    binders = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order]
    plan = list(zip(order, binders, strict=True))
    values = [
        tuple(row[name] if bind is None or row[name] is None else bind(row[name]) for name, bind in plan)
        for row in rows
    ]
    connection.exec_driver_sql(compiled.string, values)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insertion(session: Session, table: Table, names: Sequence[str]) -> Any:
    """An INSERT of `names`: from one array per column on PostgreSQL, from a VALUES list on SQLite."""
    if not _postgresql(session):
        return sqlite.insert(table)
    arrays = [func.unnest(bindparam(name, type_=postgresql.ARRAY(table.c[name].type))) for name in names]
    return postgresql.insert(table).from_select(list(names), select(*arrays))


def _parameters(session: Session, names: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> Any:
    """What `_insertion` binds: a list per column on PostgreSQL, the rows on SQLite."""
    if not _postgresql(session):
        return rows
    return {name: [row[name] for row in rows] for name in names}


def ids_by_key(
    session: Session,
    model: type[DeclarativeBase],
    key: Sequence[str],
    values: Iterable[tuple[Any, ...]],
) -> dict[tuple[Any, ...], int]:
    """Surrogate ids of the rows whose natural `key` is among `values`."""
    table = _table(model)
    key_columns = [table.c[name] for name in key]
    found: dict[tuple[Any, ...], int] = {}
    for chunk in batched(set(values), BATCH_SIZE):
        condition = (
            key_columns[0].in_([v[0] for v in chunk])
            if len(key_columns) == 1
            else tuple_(*key_columns).in_(chunk)
        )
        for row in session.execute(
            table.select().with_only_columns(*key_columns, table.c.id).where(condition)
        ):
            found[tuple(row[:-1])] = row[-1]
    return found
