"""Keyset pages: every list the warehouse serves is read one bounded page at a time, in id order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, any_, bindparam
from sqlalchemy.engine import Connection
from sqlalchemy.orm import QueryableAttribute, Session

from hub.db.base import IntegerArray
from hub.db.driver_reads import fetch_all
from hub.errors import InvalidInput

T = TypeVar("T")
AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of rows; `last_id` is the keyset position to continue after."""

    items: Sequence[T]
    has_next: bool
    last_id: int | None


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}, got {first}")


def keyset(
    statement: AnySelect,
    id_column: ColumnElement[int] | QueryableAttribute[int],
    *,
    after: int | None,
    first: int,
) -> AnySelect:
    """`statement` limited to the `first` rows after id `after`, plus one to tell if more follow."""
    check_page_size(first)
    if after is not None:
        statement = statement.where(id_column > after)
    return statement.order_by(id_column).limit(first + 1)


def page_of(rows: Sequence[T], *, first: int, id_of: Any) -> Page[T]:
    """Trim the look-ahead row that `keyset` fetched and say whether there is a next page."""
    items = rows[:first]
    return Page(items=items, has_next=len(rows) > first, last_id=id_of(items[-1]) if items else None)


def in_batch(column: ColumnElement[Any], name: str, *, postgresql: bool) -> ColumnElement[bool]:
    """`column` among the keys of the parameter `name`, for a loader statement built once and run for
    every batch: one array parameter on PostgreSQL, sent as a text literal (why: see
    `hub.db.upsert.key_in` and `hub.db.base.IntegerArray`), an expanding `IN` elsewhere.

    Loader statements are built once because building one cost more than running it (measured:
    `get_cases` 0.50 ms a call built each time, 0.22 ms built once), and a statement built once also
    keeps its cache key.
    """
    if postgresql:
        return column == any_(bindparam(name, type_=IntegerArray()))
    return column.in_(bindparam(name, expanding=True))


def on_postgresql(connection: Connection) -> bool:
    """Whether a loader statement for `connection` takes its keys as one array (see `in_batch`)."""
    return connection.dialect.name == "postgresql"


def listed_for(
    session: Session,
    statement: Callable[..., Select[Any]],
    keys: Sequence[int],
    *,
    key: str,
    make: Callable[..., T],
    **parameters: Any,
) -> dict[int, list[T]]:
    """Each key's rows from a loader statement, listed as `listed_by` does.

    `statement(postgresql=…)` builds the statement once per backend (see `in_batch`); its batch of
    keys is the parameter `keys`, and `parameters` are its others.
    """
    connection = session.connection()
    built = statement(postgresql=on_postgresql(connection))
    rows = fetch_all(connection, built, {"keys": list(keys), **parameters})
    return listed_by(rows, keys, key=key, make=make)


def listed_by(
    rows: Iterable[Row[Any]], keys: Sequence[int], *, key: str, make: Callable[..., T]
) -> dict[int, list[T]]:
    """Each key's rows (by their `key` column), each made into `make(*row)`, in the rows' order; a key
    without rows gets an empty list, since a loader answers every key it was asked for."""
    found: dict[int, list[T]] = {id_: [] for id_ in keys}
    for row in rows:
        found[getattr(row, key)].append(make(*row))
    return found
