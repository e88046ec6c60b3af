"""Keeping the database's planner informed after bulk loads."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, text


def refresh_statistics(engine: Engine, *, tables: Sequence[str] = ()) -> None:
    """ANALYZE `tables` (every table when none are named), so that the planner knows the sizes a
    load just changed.

    Measured on PostgreSQL with autovacuum off: lookups by id scanned whole tables (16 ms instead
    of 0.3 ms) until the tables were analysed; a staging table filled by one read and checked
    right after (autovacuum had not got to it) had a self-join run for minutes. SQLite's planner
    uses the same statistics.
    """
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        for statement in [f"ANALYZE {quote(table)}" for table in tables] or ["ANALYZE"]:
            connection.execute(text(statement))
