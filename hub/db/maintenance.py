"""Keeping the database's planner informed after bulk loads."""

from __future__ import annotations

from sqlalchemy import Engine, text


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE every table, so that the planner knows the sizes a load just changed.

    Measured on PostgreSQL with autovacuum off: lookups by id scanned whole tables (16 ms instead
    of 0.3 ms) until the tables were analysed. SQLite's planner uses the same statistics.
    """
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
