"""案件: every department's cases on one lifecycle, their parties, links and events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance, UtcDateTime, source_record_index


class Case(Provenance, Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("department", "case_no"), source_record_index("cases"))

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(32))
    case_no: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    resolution_level: Mapped[str | None] = mapped_column(String(16))
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(24))


class CaseParty(Provenance, Base):
    __tablename__ = "case_parties"
    __table_args__ = (UniqueConstraint("case_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class CaseLink(Provenance, Base):
    """A case's reference to another case by number; `target_case_id` is filled once both are loaded."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "target_case_no", "relation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    target_case_no: Mapped[str] = mapped_column(String(64))
    target_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    relation: Mapped[str] = mapped_column(String(16))


class CaseEvent(Provenance, Base):
    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "status", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
