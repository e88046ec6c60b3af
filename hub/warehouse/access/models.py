"""访问日志: an append-only record of every read that returned a person (PIPL, DESIGN §8).

One row per request, naming every person it returned, so that an auditor can answer "who read this
person's data" with an index lookup (on PostgreSQL an inverted index over `person_ids`) and "what
did this user read" by user. No foreign key to `persons`: the log must outlive the rows it names.

Every read writes here, so the write is one row whatever the number of persons. Measured on the
benchmark's page of 100 households (290 persons, PostgreSQL, bench/graphql.py): the insert and its
commit took 4.9 ms as a row per person with its indexes, 1.7 ms as one row (migration 0012). The
inverted index keeps its fast-update list: new entries go to a pending list that vacuum (or a full
list) merges, instead of 290 index insertions per request, which grew from 1.4 to 3 ms as the index
grew (measured on a scratch table).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, IntegerArray, UtcDateTime, only_on

# The persons of a request, in ascending order: an integer array on PostgreSQL, a JSON list on SQLite.
PersonIds = JSON().with_variant(IntegerArray(), "postgresql")


class AccessLogEntry(Base):
    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_user_id_at", "user_id", "at"),
        only_on("postgresql", Index("ix_access_log_person_ids", "person_ids", postgresql_using="gin")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The GraphQL request's own id (a UUID).
    request_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(24))
    # The GraphQL operation name (or "anonymous") and the SHA-256 of the query text.
    operation: Mapped[str] = mapped_column(String(100))
    query_digest: Mapped[str] = mapped_column(String(64))
    # Whether identity was shown unmasked (only roles allowed to see it read unmasked).
    unmasked: Mapped[bool] = mapped_column()
    person_ids: Mapped[list[int]] = mapped_column(PersonIds)
