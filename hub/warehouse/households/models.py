"""户: registered households and who belongs to them over time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance


class Household(Provenance, Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    hh_no: Mapped[str] = mapped_column(String(32), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    head_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))


class HouseholdMember(Provenance, Base):
    """A person's membership of a household; `valid_to` is set when the register drops them."""

    __tablename__ = "household_members"
    __table_args__ = (UniqueConstraint("household_id", "person_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    relation: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
