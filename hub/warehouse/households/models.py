"""户: registered households, who belongs to them over time, and their 德治 records (ratings, points)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance, only_on, source_record_index


class Household(Provenance, Base):
    __tablename__ = "households"
    # `addressContains` is a substring search: on PostgreSQL a trigram index answers it without
    # reading every household (SQLite has no such index and scans).
    __table_args__ = (
        source_record_index("households"),
        only_on(
            "postgresql",
            Index(
                "ix_households_address_trgm",
                "address",
                postgresql_using="gin",
                postgresql_ops={"address": "gin_trgm_ops"},
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hh_no: Mapped[str] = mapped_column(String(32), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    # Indexed: merging a person moves the headships it holds, one lookup per merge.
    head_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)


class HouseholdMember(Provenance, Base):
    """A person's membership of a household; `valid_to` is set when the register drops them."""

    __tablename__ = "household_members"
    __table_args__ = (UniqueConstraint("household_id", "person_id", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    relation: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


# Ratings and moral points name their household by 户号, the key civil affairs and the register share,
# rather than by id: civil affairs may rate a household whose register record is held in quarantine,
# and the rating then shows as soon as the household is published, with nothing to re-link.


class HouseholdRating(Provenance, Base):
    """十星级文明户: the stars (0–10) a village committee gave a household for one year."""

    __tablename__ = "household_ratings"
    __table_args__ = (UniqueConstraint("source_system", "source_record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hh_no: Mapped[str] = mapped_column(String(32), index=True)
    year: Mapped[int] = mapped_column(Integer)
    stars: Mapped[int] = mapped_column(Integer)
    assessed_by: Mapped[str] = mapped_column(String(100))
    assessed_on: Mapped[dt.date] = mapped_column(Date)


class MoralPointEntry(Provenance, Base):
    """道德银行: points booked to a household (negative when spent or deducted), and its balance after."""

    __tablename__ = "moral_point_entries"
    __table_args__ = (UniqueConstraint("source_system", "source_record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hh_no: Mapped[str] = mapped_column(String(32), index=True)
    entry_no: Mapped[str] = mapped_column(String(40))
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(40))
    points: Mapped[int] = mapped_column(Integer)
    balance: Mapped[int] = mapped_column(Integer)
