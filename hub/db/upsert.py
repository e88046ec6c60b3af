"""Idempotent bulk upsert on natural keys, one statement shape for SQLite and PostgreSQL.

A row is written only when it is new or its `row_hash` changed, so that re-running the same extract
changes nothing (not even run ids or load times) and the count of written rows is exact.

On PostgreSQL a batch is copied (`COPY … FROM STDIN`) into a temporary table of its columns, and
inserted from there (`INSERT … SELECT … FROM` it): the statement's text is short and the same for
every batch, and psycopg formats COPY rows in C. A many-row VALUES list (SQLAlchemy's
insertmanyvalues) has a placeholder per value, which psycopg parses on every execution (three
quarters of the households load, py-spy, 30,000 persons); one array per column, unnested by the
server, avoided that, but psycopg dumps arrays element by element in Python: a quarter of the
households publish at 1,000,000 persons, and 34–49 ms of CPU per 1,000 rows of 15 columns against
4 ms by COPY (`bench`-style measurement on this machine). COPY is binary where every column has a
binary form (`binary_copy_types`). SQLite keeps the VALUES list.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from itertools import islice
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Table,
    and_,
    any_,
    bindparam,
    func,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute, Session
from sqlalchemy.types import TypeEngine

from hub.db.base import IntegerArray

BATCH_SIZE = 1000
# Given the stored row's columns and the incoming row's (`excluded`), by name: whether to keep the stored.
Veto = Callable[[Any, Any], ColumnElement[bool]]
# Columns an insert sets and an update of the row leaves as they are.
KEPT_ON_UPDATE = frozenset({"first_loaded_at", "first_quarantined_at"})


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

    Returns how many rows were inserted or changed. Every row must carry `row_hash`. An update
    leaves `KEPT_ON_UPDATE` as the insert set them.
    """
    return len(upserted_ids(session, model, rows, key=key))


def upserted_ids(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
) -> list[int]:
    """`upsert`, returning the ids of the rows it inserted or changed."""
    return list(upserted_keys(session, model, rows, key=key).values())


def upserted_keys(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    unless: Veto | None = None,
) -> dict[tuple[Any, ...], int]:
    """`upsert`, returning the id of each row it inserted or changed, by its `key`.

    `unless` (the stored row and the incoming one, as `excluded`) vetoes an update that the stored
    row should win, decided by the database when a concurrent transaction wrote it first.
    """
    if not rows:
        return {}
    rows = _in_key_order(rows, key)
    table = _table(model)
    names = list(rows[0])
    insertion = _insertion(session, table, names, unchanged_on=key)
    changed = table.c.row_hash != insertion.excluded.row_hash
    statement = insertion.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={name: insertion.excluded[name] for name in names if name not in {*key, *KEPT_ON_UPDATE}},
        where=changed if unless is None else and_(changed, ~unless(table.c, insertion.excluded)),
    ).returning(table.c.id, *(table.c[name] for name in key))
    written: dict[tuple[Any, ...], int] = {}
    for chunk in batched(rows, BATCH_SIZE):
        for id_, *values in session.execute(statement, _parameters(session, table, names, chunk)):
            written[tuple(values)] = id_
    return written


def upsert_with_ids(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    unless: Veto | None = None,
) -> tuple[int, dict[tuple[Any, ...], int]]:
    """`upsert`, returning how many rows it wrote and the id of every row's `key`.

    The rows it inserted or changed return their ids from the upsert itself; only the unchanged
    ones are looked up (`ids_by_key`). On a first load that is none: a separate look-up of every key
    was a twentieth of the households publish at 1,000,000 persons.
    """
    written = upserted_keys(session, model, rows, key=key, unless=unless)
    unchanged = {tuple(row[name] for name in key) for row in rows} - written.keys()
    return len(written), {**ids_by_key(session, model, key, unchanged), **written}


def _in_key_order(rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> list[Mapping[str, Any]]:
    """The last row of each `key`, sorted by key (nulls last): one statement may not touch a row
    twice (PostgreSQL refuses), and transactions that write some of the same keys then take their
    row locks in the same order, and wait on each other instead of deadlocking."""
    # Keys read by `itemgetter` and sorted as they are unless one holds a null: a key function
    # per row was a tenth of the households publish at 1,000,000 persons (py-spy).
    by_key = dict(zip(map(itemgetter(*key), rows), rows, strict=True))
    nulls = None in by_key if len(key) == 1 else any(None in values for values in by_key)
    return [by_key[values] for values in sorted(by_key, key=_nulls_last if nulls else None)]


def _nulls_last(values: Any) -> Any:
    """A sort key that puts nulls after every value: of a key's value, or of a tuple of them."""
    if isinstance(values, tuple):
        return tuple((value is None, value) for value in values)
    return (values is None, values)


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
    rows = _in_key_order(rows, key)
    table = _table(model)
    names = list(rows[0])
    statement = (
        _insertion(session, table, names)
        .on_conflict_do_nothing(index_elements=[table.c[name] for name in key])
        .returning(*(table.c[name] for name in key))
    )
    inserted: set[tuple[Any, ...]] = set()
    for chunk in batched(rows, BATCH_SIZE):
        inserted.update(
            tuple(row) for row in session.execute(statement, _parameters(session, table, names, chunk))
        )
    return inserted


def insert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, returning: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Insert `rows` (all with the same columns) in batches; the `returning` columns of every row
    inserted come back in no particular order."""
    if not rows:
        return []
    names = list(rows[0])
    if not returning:
        if _postgresql(session):
            _copy_rows(session, table, names, rows)
        else:
            _sqlite_executemany(session, table, names, rows)
        return []
    statement = _insertion(session, table, names)
    if returning:
        statement = statement.returning(*returning)
    found: list[tuple[Any, ...]] = []
    for chunk in batched(rows, BATCH_SIZE):
        result = session.execute(statement, _parameters(session, table, names, chunk))
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


def _insertion(
    session: Session, table: Table, names: Sequence[str], *, unchanged_on: Sequence[str] = ()
) -> Any:
    """An INSERT of `names`: from the batch's temporary table on PostgreSQL, a VALUES list on SQLite.

    With `unchanged_on` (a key), PostgreSQL leaves out the rows stored under their key with their
    `row_hash` already. `ON CONFLICT DO UPDATE … WHERE` would not update them, but it locks every
    row it finds, and a lock writes the row's page and the WAL: a daily run sends back mostly
    unchanged rows (a case's parties and events when its status moved). Measured on 200,000
    unchanged rows: 755 ms and 46 MB of WAL, against 240 ms and none with them left out.
    """
    if not _postgresql(session):
        return sqlite.insert(table)
    loaded = _load_table(table, tuple(names))
    incoming = select(*(loaded.c[name] for name in names))
    if unchanged_on:
        stored = (
            select(table.c.id)
            .where(*(table.c[name] == loaded.c[name] for name in unchanged_on))
            .where(table.c.row_hash == loaded.c.row_hash)
            .correlate_except(table)
        )
        incoming = incoming.where(~stored.exists())
    return postgresql.insert(table).from_select(list(names), incoming)


def _parameters(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> Any:
    """What `_insertion` needs for one batch: on PostgreSQL the rows copied into its temporary table
    (and no parameters), on SQLite the rows."""
    if not _postgresql(session):
        return rows
    loaded = _load_table(table, tuple(names))
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    # Dropped at commit; within a transaction each batch empties it first (in place: PostgreSQL
    # truncates a table created in the same transaction without a new file).
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(loaded.name)} ON COMMIT DROP AS "
        f"SELECT {columns} FROM {quote(table.name)} WITH NO DATA; TRUNCATE {quote(loaded.name)}"
    )
    _copy_rows(session, loaded, names, rows, types_of=table)
    return {}


def _copy_rows(
    session: Session,
    table: Table,
    names: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    types_of: Table | None = None,
) -> None:
    """COPY `rows` into `table` on PostgreSQL, each value bound by its column's type (in
    `types_of`, the table a temporary one stands for).

    In binary when every column has a binary form (`binary_copy_types`): psycopg then writes each
    value as it is held, without formatting it as text (measured: 0.028 against 0.24 s of CPU for
    100,000 rows of 12 columns with two timestamps); in text otherwise.
    """
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    typed = types_of if types_of is not None else table
    binders = [typed.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    # Values read by `itemgetter`, and bound only where a column's type binds them (aware times):
    # a bind check for every value was a twentieth of the households publish's own time.
    read = itemgetter(*names)
    bound = [(position, bind) for position, bind in enumerate(binders) if bind is not None]
    columns = ", ".join(quote(name) for name in names)
    binary = binary_copy_types(typed, tuple(names), dialect)
    form = " (FORMAT BINARY)" if binary is not None else ""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN{form}") as copy:
        if binary is not None:
            copy.set_types(list(binary))
        for row in rows:
            values = list(read(row)) if len(names) > 1 else [read(row)]
            for position, bind in bound:
                if values[position] is not None:
                    values[position] = bind(values[position])
            copy.write_row(values)


# PostgreSQL types by the name SQLAlchemy compiles (without length or precision), and the binary
# form COPY sends a bound value of each in (SQLAlchemy's FLOAT is double precision on PostgreSQL).
# Anything else (JSON, arrays, numerics) goes as text.
_BINARY_FORMS = {
    "integer": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "varchar": "text",
    "text": "text",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "float": "float8",
}


@functools.lru_cache(maxsize=256)
def binary_copy_types(table: Table, names: tuple[str, ...], dialect: Dialect) -> tuple[str, ...] | None:
    """The binary form in which COPY sends each of `names` (psycopg's `Copy.set_types`), or None when
    a column has none we trust."""
    forms = []
    for name in names:
        compiled = table.c[name].type.compile(dialect=dialect).lower().partition("(")[0].strip()
        form = _BINARY_FORMS.get(compiled)
        if form is None:
            return None
        forms.append(form)
    return tuple(forms)


@functools.lru_cache(maxsize=256)
def _load_table(table: Table, names: tuple[str, ...]) -> Table:
    """The temporary table a batch of `names` of `table` is copied into (a name per column set)."""
    digest = hashlib.sha1(",".join(names).encode(), usedforsecurity=False).hexdigest()[:8]
    return Table(
        f"load_{table.name}_{digest}", MetaData(), *(Column(name, table.c[name].type) for name in names)
    )


def key_in(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column IN values` for a batch of keys: one array parameter on PostgreSQL (`= ANY(…)`).

    An expanded `IN` has a parameter per value, and psycopg parses a statement of more than 50
    parameters again on every execution and dumps each value on its own; loads look keys up a
    thousand at a time.
    """
    if _postgresql(session):
        return column == any_(bindparam(None, list(values), type_=_array_of(column.type)))
    return column.in_(values)


def _array_of(item_type: TypeEngine[Any]) -> TypeEngine[Any]:
    """PostgreSQL's array of `item_type` for a parameter; integers travel as one text literal
    (`IntegerArray`), which psycopg does not dump element by element."""
    if isinstance(item_type, Integer):
        return IntegerArray(type(item_type))
    return postgresql.ARRAY(item_type)


def ids_by_key(
    session: Session,
    model: type[DeclarativeBase],
    key: Sequence[str],
    values: Iterable[tuple[Any, ...]],
) -> dict[tuple[Any, ...], int]:
    """Surrogate ids of the rows whose natural `key` is among `values`.

    On PostgreSQL each key column travels as one array, joined as a derived table: a `(a, b) IN
    (…)` list has a parameter per value, which psycopg parses again for every batch (it caches
    statements of at most 50 parameters); that was a twentieth of the households publish.
    """
    table = _table(model)
    key_columns = [table.c[name] for name in key]
    postgresql_arrays = _postgresql(session)
    if postgresql_arrays:
        wanted = select(
            *(
                func.unnest(bindparam(f"k{n}", type_=_array_of(c.type))).label(f"k{n}")
                for n, c in enumerate(key_columns)
            )
        ).subquery("wanted")
        statement = select(*key_columns, table.c.id).join(
            wanted, and_(*(c == wanted.c[f"k{n}"] for n, c in enumerate(key_columns)))
        )
    found: dict[tuple[Any, ...], int] = {}
    for chunk in batched(set(values), BATCH_SIZE):
        if postgresql_arrays:
            rows = session.execute(
                statement, {f"k{n}": [v[n] for v in chunk] for n in range(len(key_columns))}
            )
        else:
            condition = (
                key_columns[0].in_([v[0] for v in chunk])
                if len(key_columns) == 1
                else tuple_(*key_columns).in_(chunk)
            )
            rows = session.execute(select(*key_columns, table.c.id).where(condition))
        for row in rows:
            found[tuple(row[:-1])] = row[-1]
    return found
