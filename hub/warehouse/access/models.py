"""访问日志: an append-only record of every read that returned a person (PIPL, DESIGN §8).

One row per person per request, so that an auditor can answer "who read this person's data" with
an index lookup. No foreign key to `persons`: the log must outlive the rows it names.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime


class AccessLogEntry(Base):
    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_person_id_at", "person_id", "at"),
        Index("ix_access_log_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Groups the rows written for one GraphQL request.
    request_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(24))
    # The GraphQL operation name (or "anonymous") and the SHA-256 of the query text.
    operation: Mapped[str] = mapped_column(String(100))
    query_digest: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column()
    # Whether identity was shown unmasked (only roles allowed to see it read unmasked).
    unmasked: Mapped[bool] = mapped_column()
