"""实有人口: resolved persons and what each source said about them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance


class Person(Provenance, Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "id:<18-digit number>" when any source gave a valid ID, else "src:<system>:<record>:<name>":
    # the key resolution matched on, unique so that loads stay idempotent.
    identity_key: Mapped[str] = mapped_column(String(200), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str | None] = mapped_column(String(1))
    ethnicity: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))


class PersonSource(Provenance, Base):
    """One source record that mentions a person, with what it said: the person's provenance."""

    __tablename__ = "person_sources"
    __table_args__ = (UniqueConstraint("source_system", "source_record_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    name_as_sent: Mapped[str] = mapped_column(String(50))
    id_number_as_sent: Mapped[str | None] = mapped_column(String(32))
