"""实有人口: resolved persons and what each source said about them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance, UtcDateTime


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
    # Set when resolution found this person to be another one: every reference now points at
    # that survivor, and this row stays so that the merge can be undone.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)


class PersonSource(Provenance, Base):
    """One source record that mentions a person, with what it said: the person's provenance."""

    __tablename__ = "person_sources"
    __table_args__ = (UniqueConstraint("source_system", "source_record_id", "loaded_person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # The person the load resolved this mention to before any fuzzy merge (for undoing one).
    loaded_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    name_as_sent: Mapped[str] = mapped_column(String(50))
    id_number_as_sent: Mapped[str | None] = mapped_column(String(32))
    # What the record stated about the person and where: the evidence fuzzy resolution weighs.
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    household_no: Mapped[str | None] = mapped_column(String(32))
    division_code: Mapped[str | None] = mapped_column(String(12))


class UnresolvedMention(Base):
    """A mention a load wrote or changed (or a reviewer's accepted pair named) since resolution last
    weighed it: where the next resolution pass starts.

    A table of its own rather than a column of the mention: a full pass weighs every mention of a
    county, and taking 1,360,647 ids out of this table costs seconds, where marking the mentions
    themselves (a new version of each row, in six indexes) took 29 s of the pass.
    """

    __tablename__ = "unresolved_mentions"

    # No foreign key: mentions are never deleted, and checking one per id would cost every load.
    person_source_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class PersonBlockKey(Base):
    """A blocking key of a mention (`hub.resolution.blocking`), hashed: which mentions an
    incremental resolution pass must weigh again beside the ones that changed."""

    __tablename__ = "person_block_keys"
    # A first pass writes a few keys per mention, millions at county scale, so the table is kept
    # cheap to fill: on SQLite the primary key is the table itself (no rowid B-tree beside it), and
    # there is no foreign key to check per row. Mentions are never deleted, and a key of one that
    # were would only add a neighbour to weigh, found missing.
    __table_args__ = ({"sqlite_with_rowid": False},)

    key_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_source_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class PersonMatch(Base):
    """A merge resolution made: two mentions found to be one person, by which rule and how sure.

    `absorbed_person_id` was merged into `survivor_person_id`; `undone_at` is set when a reviewer
    undoes the merge (the pair is then kept apart in every later resolution).
    """

    __tablename__ = "person_matches"
    __table_args__ = (UniqueConstraint("left_mention", "right_mention"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    left_mention: Mapped[str] = mapped_column(String(200))
    right_mention: Mapped[str] = mapped_column(String(200))
    survivor_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    absorbed_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    rule: Mapped[str] = mapped_column(String(16))
    tier: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    run_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    undone_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class PersonMatchReview(Base):
    """A pair resolution was not sure about: kept apart until a reviewer accepts or rejects it."""

    __tablename__ = "person_match_reviews"
    __table_args__ = (UniqueConstraint("left_mention", "right_mention"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    left_mention: Mapped[str] = mapped_column(String(200))
    right_mention: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending | accepted | rejected
    run_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
