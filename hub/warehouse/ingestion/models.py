"""Ingestion bookkeeping: per-source cursors for incremental loads."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime


class SourceCursor(Base):
    """How far a source stream has been loaded; advanced only after its rows are committed."""

    __tablename__ = "source_cursors"
    __table_args__ = (UniqueConstraint("source_system", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_system: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    cursor: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
