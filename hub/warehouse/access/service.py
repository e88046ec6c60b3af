"""Writing and reading the access log. Append-only: there is no update or delete here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Boolean, Insert, Integer, String, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from hub.db.base import UtcDateTime
from hub.errors import Forbidden
from hub.warehouse.access.models import AccessLogEntry
from hub.warehouse.pagination import Page, keyset, page_of
from hub.warehouse.viewer import Viewer


@dataclass(frozen=True, slots=True)
class AccessRow:
    id: int
    request_id: str
    at: dt.datetime
    user_id: str
    role: str
    operation: str
    query_digest: str
    person_id: int
    unmasked: bool


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One request that returned persons: who asked, how, and whether identity was unmasked."""

    viewer: Viewer
    operation: str
    query_digest: str
    unmasked: bool
    at: dt.datetime


def record_access(*, session: Session, record: AccessRecord, person_ids: Collection[int]) -> str:
    """Append one row per person read by a request, in one statement; returns the request id.

    The caller commits; a request whose persons could not be logged must not be answered.
    """
    request_id = str(uuid.uuid4())
    if not person_ids:
        return request_id
    shared = {
        "request_id": request_id,
        "at": record.at,
        "user_id": record.viewer.user_id,
        "role": record.viewer.role.value,
        "operation": record.operation[:100],
        "query_digest": record.query_digest,
        "unmasked": record.unmasked,
    }
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_UNNESTED, {**shared, "person_ids": sorted(person_ids)})
    else:
        connection.execute(
            insert(AccessLogEntry), [{**shared, "person_id": person_id} for person_id in sorted(person_ids)]
        )
    return request_id


def _insert_unnested() -> Insert:
    """`INSERT … SELECT` over `unnest(:person_ids)`: the request's rows in one statement with one set of
    parameters (measured on a page of 100 households, 290 persons: 2.2 ms, against 7.2 ms for an
    executemany, which psycopg sends as one pipelined statement per row)."""
    table = AccessLogEntry.__table__.c
    person_id = func.unnest(bindparam("person_ids", type_=ARRAY(Integer))).column_valued("person_id")
    rows = select(
        bindparam("request_id", type_=String()),
        bindparam("at", type_=UtcDateTime()),
        bindparam("user_id", type_=String()),
        bindparam("role", type_=String()),
        bindparam("operation", type_=String()),
        bindparam("query_digest", type_=String()),
        person_id,
        bindparam("unmasked", type_=Boolean()),
    )
    columns = ["request_id", "at", "user_id", "role", "operation", "query_digest", "person_id", "unmasked"]
    return insert(AccessLogEntry).from_select([table[name] for name in columns], rows)


_INSERT_UNNESTED = _insert_unnested()


def list_access(
    *,
    session: Session,
    viewer: Viewer,
    person_id: int | None = None,
    user_id: str | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[AccessRow]:
    """Access log entries, oldest first, for auditors and administrators only."""
    if not viewer.reads_access_log:
        raise Forbidden("only auditors and administrators may read the access log")
    statement = select(
        AccessLogEntry.id,
        AccessLogEntry.request_id,
        AccessLogEntry.at,
        AccessLogEntry.user_id,
        AccessLogEntry.role,
        AccessLogEntry.operation,
        AccessLogEntry.query_digest,
        AccessLogEntry.person_id,
        AccessLogEntry.unmasked,
    )
    if person_id is not None:
        statement = statement.where(AccessLogEntry.person_id == person_id)
    if user_id is not None:
        statement = statement.where(AccessLogEntry.user_id == user_id)
    rows = [
        AccessRow(*row)
        for row in session.connection().execute(
            keyset(statement, AccessLogEntry.id, after=after, first=first)
        )
    ]
    return page_of(rows, first=first, id_of=lambda row: row.id)
