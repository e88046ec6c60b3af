"""特殊人群 / 救助: tags and benefits held by persons, as each department reports them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance


class PersonTag(Provenance, Base):
    """特殊人群 / 救助: a tag or benefit a department says a person holds for a period."""

    __tablename__ = "person_tags"
    __table_args__ = (UniqueConstraint("source_system", "source_record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    department: Mapped[str] = mapped_column(String(32))
    sensitivity: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[str | None] = mapped_column(String(20))
