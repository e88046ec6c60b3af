"""Declarative base, naming convention and the column types every core table shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Dialect, Index, Integer, MetaData, String, TypeDecorator
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so that Alembic's autogenerate compares equal on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes stored as UTC on every backend and always read back aware.

    SQLite has no time zones and would hand back naive values while PostgreSQL hands back aware
    ones; normalising here keeps the same code correct on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the warehouse stores aware times only")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class IntegerArray(TypeDecorator[list[int]]):
    """PostgreSQL's `integer[]` (or `bigint[]` …), sent as one text literal (`{1,2,3}`) that the
    server parses.

    psycopg dumps a list parameter element by element in Python: for the 300 ids of a loader's
    batch that was 0.41 ms of CPU per statement, against 0.20 ms for the literal (the statement
    casts the parameter, `= ANY(%(ids)s::INTEGER[])`, and keeps its index scan).
    """

    impl = ARRAY
    cache_ok = True

    def __init__(self, item_type: type[Integer] = Integer) -> None:
        super().__init__(item_type)
        self.item_type = item_type

    def bind_processor(self, dialect: Dialect) -> Any:
        def process(value: list[int | None] | None) -> str | None:
            if value is None:
                return None
            if None in value:
                return "{" + ",".join("NULL" if v is None else str(v) for v in value) + "}"
            return "{" + ",".join(map(str, value)) + "}"

        return process


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Provenance:
    """Where a core row came from: the source system and record, and the run that last changed it.

    `row_hash` covers the row's content (not run id or load time) so that an upsert touches a row
    only when the source really changed it: re-running the same extract changes nothing. Every
    write sets `run_id` and `loaded_at` (`hub.warehouse.provenance.stamp`), so the index on
    `loaded_at` finds the rows changed since a moment: what a data-quality run checks; an insert
    also sets `first_loaded_at`, which no write changes afterwards.
    """

    source_system: Mapped[str] = mapped_column(String(32))
    source_record_id: Mapped[str] = mapped_column(String(128))
    run_id: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    # When the row was inserted; an update keeps it (`hub.db.upsert.KEPT_ON_UPDATE`). The source
    # reconciliation tells from it which records were published by a moment (`hub.quality.reconciliation`).
    first_loaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    row_hash: Mapped[str] = mapped_column(String(40))


def source_record_index(table: str) -> Index:
    """The index finding a table's rows by the source record they stand for (the reconciliation
    looks up the records that changed since its previous run, `hub.quality.reconciliation`)."""
    return Index(f"ix_{table}_source_record", "source_system", "source_record_id")


def only_on(dialect: str, index: Index) -> Index:
    """An index that only `dialect` builds (an operator class the others lack); migrations and
    their check compare it only there (`hub.db.migrate.include_object`)."""
    index.info["only_on"] = dialect
    return index.ddl_if(dialect=dialect)
