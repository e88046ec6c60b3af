"""Keeping the database's planner informed during and after bulk loads."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

# Between a load's batches, a table is analysed again once its rows changed by more than its size
# at the last ANALYZE (and by at least this many): estimates stay within a factor of two, at about
# log2(rows) ANALYZEs per table per load.
STALE_AFTER_CHANGES = 500
# After the loads, autovacuum's own rule: a tenth of the rows, and at least 50.
AFTER_LOAD_SHARE, AFTER_LOAD_CHANGES = 0.1, 50
# A table is vacuumed once its dead rows outnumber its live ones by this many.
DEAD_ROWS_FLOOR = 1000
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"


def refresh_statistics(engine: Engine, *, tables: Collection[str] = ()) -> tuple[str, ...]:
    """Bring the planner's statistics up to date after loads; returns the tables analysed.

    On PostgreSQL, those of `tables` (every table when none are named) whose rows changed by more
    than a tenth since their last ANALYZE: autovacuum's own rule, applied now rather than when it
    gets round to it (if it runs at all), and a run that changed 1 % of the warehouse analyses
    none of it. SQLite keeps no such counts, so every named table (or the whole database) is
    analysed there.

    Measured on PostgreSQL with autovacuum off: lookups by id scanned whole tables (16 ms instead
    of 0.3 ms) until the tables were analysed; a staging table filled by one read and checked
    right after had a self-join run for minutes.
    """
    if engine.dialect.name == "postgresql":
        return _analyse_stale(engine, tables or None, share=AFTER_LOAD_SHARE, floor=AFTER_LOAD_CHANGES)
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        named = tuple(sorted(tables)) or tuple(connection.execute(text(SQLITE_TABLES)).scalars())
        for table in named:
            connection.execute(text(f"ANALYZE {quote(table)}"))
    return named


def refresh_stale_statistics(engine: Engine, *, tables: Collection[str]) -> tuple[str, ...]:
    """ANALYZE those of `tables` that a load has changed by more than their size at their last
    ANALYZE; returns their names. Call it between a bulk load's batches.

    PostgreSQL plans a statement by the statistics it has, and autovacuum (off on some servers, once
    a minute at best) lags a load that fills a table within minutes. Measured: 1,000 landed record
    ids looked up in a `raw_records` of 46,000 never-analysed rows took 658 ms as a filter over
    every row of the stream, and 2.6 ms on the index once analysed. SQLite needs no statistics for
    these lookups, so nothing is done there.
    """
    if engine.dialect.name != "postgresql" or not tables:
        return ()
    return _analyse_stale(engine, tables, share=1.0, floor=STALE_AFTER_CHANGES)


def _analyse_stale(
    engine: Engine, tables: Collection[str] | None, *, share: float, floor: int
) -> tuple[str, ...]:
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        stale = _stale(connection, tables, share=share, floor=floor)
        for table in stale:
            connection.execute(text(f"ANALYZE {quote(table)}"))
    return stale


def _stale(
    connection: Connection, tables: Collection[str] | None, *, share: float, floor: int
) -> tuple[str, ...]:
    """The tables (of the current schema; all of them when None) changed by more than `share` of
    their rows at their last ANALYZE plus `floor`, by PostgreSQL's own counts."""
    statement = (
        "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
        "WHERE s.schemaname = current_schema() "
        "AND s.n_mod_since_analyze > :share * GREATEST(c.reltuples, 0) + :floor"
    )
    parameters: dict[str, object] = {"share": share, "floor": floor}
    if tables is not None:
        statement += " AND s.relname = ANY(:tables)"
        parameters["tables"] = sorted(tables)
    rows = connection.execute(text(statement + " ORDER BY s.relname"), parameters)
    return tuple(rows.scalars())


def reclaim_dead_rows(engine: Engine, *, tables: Collection[str]) -> tuple[str, ...]:
    """Give back the space of those of `tables` holding more dead rows than live ones; returns
    their names. Meant for staging tables, which publishing empties.

    Staging rows are deleted once published, and PostgreSQL keeps the space of deleted rows until a
    VACUUM, which autovacuum (off on some servers) may not run for a long time: measured at 100,000
    persons, the emptied staging tables of a full load kept their 23 MB, which every staging check
    of every later run read again. A table found empty under an exclusive lock is truncated: a
    VACUUM gave back nothing at 1,000,000 persons (232 MB of moral points kept), because the last
    batch's rows were still visible to another step's transaction, and once they were not, too few
    pages held them for VACUUM to clean their index entries, whose line pointers then kept every
    page up to theirs. A table still holding rows, or busy (another run staging into it), is
    vacuumed, its indexes included. SQLite frees deleted rows' pages itself: nothing is done there.
    """
    if engine.dialect.name != "postgresql" or not tables:
        return ()
    with engine.connect() as connection:
        dead = tuple(
            connection.execute(
                text(
                    "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                    "AND relname = ANY(:tables) AND n_dead_tup > n_live_tup + :floor ORDER BY relname"
                ),
                {"tables": sorted(tables), "floor": DEAD_ROWS_FLOOR},
            ).scalars()
        )
    quote = engine.dialect.identifier_preparer.quote
    for table in dead:
        if not _truncated_if_empty(engine, quote(table)):
            # VACUUM cannot run inside a transaction.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f"VACUUM (INDEX_CLEANUP ON) {quote(table)}"))
    return dead


def _truncated_if_empty(engine: Engine, table: str) -> bool:
    """TRUNCATE the (quoted) table if it holds no row; False when it holds some or is busy.

    Empty is checked under the lock TRUNCATE takes, so that no row staged meanwhile is lost."""
    try:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '1s'"))
            connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            if connection.execute(text(f"SELECT EXISTS (SELECT 1 FROM {table})")).scalar_one():
                return False
            connection.execute(text(f"TRUNCATE {table}"))
            return True
    except OperationalError:  # the lock was not granted in time
        return False
