"""Writing and reading the access log. Append-only: there is no update or delete here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    and_,
    bindparam,
    column,
    func,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from hub.errors import Forbidden
from hub.warehouse.access.models import AccessLogEntry
from hub.warehouse.pagination import Page, check_page_size, page_of
from hub.warehouse.viewer import Viewer

_log = AccessLogEntry.__table__.c
# A position in the log is one integer: the entry's id, then the person's id below it (person ids
# are 32-bit), so that a page of the log can end inside a request's persons.
_POSITIONS_PER_ENTRY = 2**31


class AccessRow(NamedTuple):
    """One person read by one request (a log entry names every person its request read)."""

    id: int
    request_id: str
    at: dt.datetime
    user_id: str
    role: str
    operation: str
    query_digest: str
    person_id: int
    unmasked: bool

    @property
    def position(self) -> int:
        """Where this row is in the log, for `list_access(after=…)`."""
        return self.id * _POSITIONS_PER_ENTRY + self.person_id


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """One request that returned persons: who asked, how, and whether identity was unmasked."""

    viewer: Viewer
    operation: str
    query_digest: str
    unmasked: bool
    at: dt.datetime


def record_access(*, session: Session, record: AccessRecord, person_ids: Collection[int]) -> str:
    """Append the request's entry, naming every person it read, in one row; returns the request id.

    The caller commits; a request whose persons could not be logged must not be answered.
    """
    request_id = str(uuid.uuid4())
    if not person_ids:
        return request_id
    values = {
        "request_id": request_id,
        "at": record.at,
        "user_id": record.viewer.user_id,
        "role": record.viewer.role.value,
        "operation": record.operation[:100],
        "query_digest": record.query_digest,
        "unmasked": record.unmasked,
        "person_ids": sorted(person_ids),
    }
    session.connection().execute(_INSERT, values)
    return request_id


_INSERT = insert(AccessLogEntry)


def list_access(
    *,
    session: Session,
    viewer: Viewer,
    person_id: int | None = None,
    user_id: str | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[AccessRow]:
    """Persons read, one row per person and request, oldest request first, for auditors and
    administrators only; `after` is the `position` of the last row of the previous page."""
    if not viewer.reads_access_log:
        raise Forbidden("only auditors and administrators may read the access log")
    check_page_size(first)
    postgresql = session.get_bind().dialect.name == "postgresql"
    persons, person = _persons_of_entries(postgresql=postgresql)
    statement = select(
        _log.id,
        _log.request_id,
        _log.at,
        _log.user_id,
        _log.role,
        _log.operation,
        _log.query_digest,
        person,
        _log.unmasked,
    ).select_from(AccessLogEntry.__table__.join(persons, true()))
    if person_id is not None:
        statement = statement.where(person == person_id)
        if postgresql:
            # Containment is what the inverted index answers; the condition above picks the person.
            statement = statement.where(
                _log.person_ids.op("@>")(bindparam("person", [person_id], type_=ARRAY(Integer)))
            )
    if user_id is not None:
        statement = statement.where(_log.user_id == user_id)
    if after is not None:
        entry_id, after_person = divmod(after, _POSITIONS_PER_ENTRY)
        statement = statement.where(or_(_log.id > entry_id, and_(_log.id == entry_id, person > after_person)))
    statement = statement.order_by(_log.id, person).limit(first + 1)
    rows = [AccessRow._make(row) for row in session.connection().execute(statement)]
    return page_of(rows, first=first, id_of=lambda row: row.position)


def _persons_of_entries(*, postgresql: bool) -> tuple[FromClause, ColumnElement[int]]:
    """The persons of each entry as rows (joined to the entry), and their column."""
    if postgresql:
        unnested = func.unnest(_log.person_ids).table_valued(column("person_id", Integer)).render_derived()
        return unnested, unnested.c.person_id
    listed = func.json_each(_log.person_ids).table_valued(column("value", Integer))
    return listed, listed.c.value
