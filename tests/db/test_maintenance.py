"""Planner statistics during a bulk load: a table is analysed again once a load has outgrown them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from hub.db.engine import transaction
from hub.db.maintenance import (
    DEAD_ROWS_FLOOR,
    STALE_AFTER_CHANGES,
    reclaim_dead_rows,
    refresh_stale_statistics,
    refresh_statistics,
)
from hub.db.upsert import insert_rows
from hub.warehouse.ingestion.models import RawRecord

AT = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def _land(engine: Engine, first: int, count: int) -> None:
    rows = [
        {
            "source_system": "civil_affairs",
            "stream": "household_ratings",
            "source_record_id": f"R{n:07d}",
            "payload_hash": f"hash-{n}",
            "payload": "{}",
            "run_id": "run-1",
            "fetched_at": AT,
        }
        for n in range(first, first + count)
    ]
    with transaction(engine) as session:
        insert_rows(session, RawRecord.__table__, rows)
        if engine.dialect.name == "postgresql":
            # The backend reports its counts when it goes idle, at most once a second unless told.
            session.execute(text("SELECT pg_stat_force_next_flush()"))


def _delete_every_landed_row(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM raw_records"))
        connection.execute(text("SELECT pg_stat_force_next_flush()"))


def _file_bytes(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_relation_size('raw_records')")).scalar_one())


def _analysed_rows(engine: Engine) -> float:
    statement = text("SELECT reltuples FROM pg_class WHERE relname = 'raw_records'")
    with engine.connect() as connection:
        return float(connection.execute(statement).scalar_one())


def test_a_table_a_load_has_outgrown_its_statistics_is_analysed_once_until_it_outgrows_them_again(
    engine: Engine,
) -> None:
    if engine.dialect.name == "sqlite":
        _land(engine, 0, STALE_AFTER_CHANGES + 1)
        assert refresh_stale_statistics(engine, tables=["raw_records"]) == ()
        return
    _land(engine, 0, STALE_AFTER_CHANGES + 1)

    assert refresh_stale_statistics(engine, tables=["raw_records", "quarantined_records"]) == ("raw_records",)
    assert _analysed_rows(engine) == STALE_AFTER_CHANGES + 1

    _land(engine, STALE_AFTER_CHANGES + 1, STALE_AFTER_CHANGES)
    assert refresh_stale_statistics(engine, tables=["raw_records"]) == ()

    _land(engine, 2 * STALE_AFTER_CHANGES + 1, 2 * STALE_AFTER_CHANGES)
    assert refresh_stale_statistics(engine, tables=["raw_records"]) == ("raw_records",)
    assert _analysed_rows(engine) == 4 * STALE_AFTER_CHANGES + 1


def test_a_table_not_named_is_left_alone(engine: Engine) -> None:
    _land(engine, 0, 2 * STALE_AFTER_CHANGES)

    assert refresh_stale_statistics(engine, tables=["quarantined_records"]) == ()
    assert refresh_stale_statistics(engine, tables=[]) == ()


def test_after_the_loads_postgresql_analyses_only_the_tables_that_changed_by_a_tenth_and_sqlite_all(
    engine: Engine,
) -> None:
    _land(engine, 0, 1000)

    analysed = refresh_statistics(engine)

    assert "raw_records" in analysed
    if engine.dialect.name == "sqlite":
        assert {"persons", "cases", "quarantined_records"} <= set(analysed)
        return
    assert not {"persons", "cases", "quarantined_records"} & set(analysed)
    _land(engine, 1000, 99)
    assert refresh_statistics(engine) == ()
    _land(engine, 1099, 60)
    assert refresh_statistics(engine, tables=["raw_records", "persons"]) == ("raw_records",)


def test_a_table_emptied_by_deletes_gives_its_space_back_on_postgresql(engine: Engine) -> None:
    _land(engine, 0, 2 * DEAD_ROWS_FLOOR)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM raw_records WHERE source_record_id >= 'R0000100'"))
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_stat_force_next_flush()"))

    reclaimed = reclaim_dead_rows(engine, tables=["raw_records", "quarantined_records"])

    if engine.dialect.name == "sqlite":
        assert reclaimed == ()
        return
    assert reclaimed == ("raw_records",)
    with engine.connect() as connection:
        dead, pages = connection.execute(
            text(
                "SELECT n_dead_tup, pg_relation_size(relid) / current_setting('block_size')::int "
                "FROM pg_stat_user_tables WHERE relname = 'raw_records'"
            )
        ).one()
    assert dead == 0 and pages < 10  # the 100 live rows
    assert reclaim_dead_rows(engine, tables=["raw_records"]) == ()


def test_a_table_emptied_at_its_end_last_gives_every_page_back_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        return
    # As a publish empties staging: by the time the last rows go, VACUUM has cleaned the rest, and
    # the last rows' pages are too few (under 2 %) for it to clean the indexes of their entries on
    # its own; their dead line pointers would keep every page up to them (a county's 232 MB).
    _land(engine, 0, 100_000)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM raw_records WHERE source_record_id < 'R0098500'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM raw_records"))
    _delete_every_landed_row(engine)

    assert reclaim_dead_rows(engine, tables=["raw_records"]) == ("raw_records",)
    assert _file_bytes(engine) == 0


def test_a_table_emptied_while_another_transaction_still_sees_its_rows_gives_its_pages_back(
    engine: Engine,
) -> None:
    if engine.dialect.name == "sqlite":
        return
    _land(engine, 0, 2 * DEAD_ROWS_FLOOR)
    with engine.connect() as other:
        other.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        other.execute(text("SELECT count(*) FROM persons"))  # its snapshot sees the rows deleted next
        _delete_every_landed_row(engine)

        assert reclaim_dead_rows(engine, tables=["raw_records"]) == ("raw_records",)
        size = _file_bytes(engine)
    assert size == 0


def test_a_table_another_transaction_is_reading_is_vacuumed_not_truncated(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        return
    _land(engine, 0, 2 * DEAD_ROWS_FLOOR)
    _delete_every_landed_row(engine)
    with engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM raw_records"))  # holds its lock until it ends

        assert reclaim_dead_rows(engine, tables=["raw_records"]) == ("raw_records",)
        with engine.connect() as connection:
            dead = connection.execute(
                text("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'raw_records'")
            ).scalar_one()
    assert dead == 0  # vacuumed instead, without waiting for the reader
