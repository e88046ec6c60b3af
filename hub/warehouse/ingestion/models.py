"""Ingestion bookkeeping: raw landing, per-source cursors for incremental loads, and quarantine."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, UniqueConstraint
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


class QuarantinedRecord(Base):
    """A source record the hub could not take, kept whole with the rule it broke and why.

    Nothing a source sends is dropped: each record reaches a core table or this one.
    """

    __tablename__ = "quarantined_records"
    __table_args__ = (UniqueConstraint("source_system", "stream", "source_record_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_system: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    source_record_id: Mapped[str] = mapped_column(String(128))
    rule: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str] = mapped_column(String(64))
    # The latest rejection (the same record and rule again, another payload, updates the row) and
    # the first, which no update changes: the reconciliation counts records quarantined by a moment.
    quarantined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    first_quarantined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    row_hash: Mapped[str] = mapped_column(String(40))


class RawRecord(Base):
    """Landing: every distinct version of a source record, exactly as the department sent it.

    A version is identified by the hash of its payload, so an unchanged record fetched again lands
    nothing and is not processed again (unless a full reload asks for it).
    """

    __tablename__ = "raw_records"
    __table_args__ = (UniqueConstraint("source_system", "stream", "source_record_id", "payload_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_system: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    source_record_id: Mapped[str] = mapped_column(String(128))
    payload_hash: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    fetched_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
