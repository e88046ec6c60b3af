"""Bulk writes: what goes in comes back the same on both backends, and written rows are counted exactly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, event, select, text

from hub.db.engine import make_engine, transaction
from hub.db.upsert import _in_key_order, insert_rows, key_in, upsert, upsert_with_ids, upserted_ids
from hub.warehouse.households.models import HouseholdRating
from hub.warehouse.ingestion.models import RawRecord
from hub.warehouse.persons.models import PersonBlockKey

AT = dt.datetime(2026, 11, 30, 3, 45, 12, 345678, tzinfo=dt.UTC)


def _rating(record_id: str, *, stars: int, at: dt.datetime = AT) -> dict[str, Any]:
    return {
        "hh_no": "330122001001",
        "year": 2025,
        "stars": stars,
        "assessed_by": "凤鸣村村委会",
        "assessed_on": dt.date(2025, 12, 31),
        "source_system": "civil_affairs",
        "source_record_id": record_id,
        "run_id": "run-1",
        "loaded_at": at,
        "first_loaded_at": at,
        "row_hash": f"{record_id}-{stars}",
    }


def _raw(record_id: str, payload: str) -> dict[str, Any]:
    return {
        "source_system": "justice",
        "stream": "mediations",
        "source_record_id": record_id,
        "payload_hash": f"hash-{record_id}",
        "payload": payload,
        "run_id": "run-1",
        "fetched_at": AT,
    }


def test_inserted_rows_read_back_as_written(database_url: str) -> None:
    engine = make_engine(database_url)
    table = RawRecord.__table__
    assert isinstance(table, Table)
    rows = [_raw(f"M{i}", f'{{"案号": "调解{i}"}}') for i in range(2500)]
    with transaction(engine) as session:
        insert_rows(session, table, rows)
    with transaction(engine) as session:
        stored = session.execute(
            select(RawRecord.source_record_id, RawRecord.payload, RawRecord.fetched_at).order_by(RawRecord.id)
        ).all()
    engine.dispose()

    assert [(r.source_record_id, r.payload) for r in stored] == [
        (row["source_record_id"], row["payload"]) for row in rows
    ]
    assert {r.fetched_at for r in stored} == {AT}  # an aware UTC moment, microseconds kept


def test_insert_returns_what_was_asked_for_each_row(database_url: str) -> None:
    engine = make_engine(database_url)
    table = RawRecord.__table__
    assert isinstance(table, Table)
    with transaction(engine) as session:
        returned = insert_rows(
            session, table, [_raw(f"M{i}", "{}") for i in range(1500)], returning=(table.c.source_record_id,)
        )
    engine.dispose()

    assert sorted(record_id for (record_id,) in returned) == sorted(f"M{i}" for i in range(1500))


def test_an_upsert_counts_only_new_and_changed_rows(database_url: str) -> None:
    engine = make_engine(database_url)
    first = [_rating(f"R{i}", stars=5) for i in range(1200)]
    with transaction(engine) as session:
        inserted = upsert(session, HouseholdRating, first, key=("source_system", "source_record_id"))
    with transaction(engine) as session:
        again = upsert(session, HouseholdRating, first, key=("source_system", "source_record_id"))
    changed = [_rating("R7", stars=9), _rating("R1200", stars=1), *first[:3]]
    with transaction(engine) as session:
        written = upsert(session, HouseholdRating, changed, key=("source_system", "source_record_id"))
        stars = dict(session.execute(select(HouseholdRating.source_record_id, HouseholdRating.stars)).all())
        assessed_on = set(session.scalars(select(HouseholdRating.assessed_on)))
    engine.dispose()

    assert (inserted, again, written) == (1200, 0, 2)
    assert stars["R7"] == 9 and stars["R1200"] == 1 and stars["R0"] == 5 and len(stars) == 1201
    assert assessed_on == {dt.date(2025, 12, 31)}


def test_an_upsert_writes_in_key_order_and_the_last_row_of_a_repeated_key_wins(database_url: str) -> None:
    engine = make_engine(database_url)
    rows = [_rating("R2", stars=1), _rating("R10", stars=2), _rating("R1", stars=3), _rating("R2", stars=4)]
    with transaction(engine) as session:
        written = upsert(session, HouseholdRating, rows, key=("source_system", "source_record_id"))
        # Ids are drawn as rows are inserted: their order is the order the rows were written in.
        stored = session.execute(
            select(HouseholdRating.source_record_id, HouseholdRating.stars).order_by(HouseholdRating.id)
        ).all()
    engine.dispose()

    assert written == 3
    assert stored == [("R1", 3), ("R10", 2), ("R2", 4)]


def test_keys_with_nulls_are_ordered_after_every_value() -> None:
    rows = [{"a": None, "b": 1}, {"a": 2, "b": None}, {"a": 2, "b": 0}, {"a": 1, "b": 5}, {"a": None, "b": 0}]

    assert _in_key_order(rows, ("a", "b")) == [rows[3], rows[2], rows[1], rows[4], rows[0]]
    assert _in_key_order(rows, ("a",)) == [rows[3], rows[2], rows[4]]  # the last row of each key


def test_an_upsert_leaves_unchanged_rows_untouched_not_even_locked(database_url: str) -> None:
    engine = make_engine(database_url)
    key = ("source_system", "source_record_id")
    rows = [_rating(f"R{i}", stars=5) for i in range(1200)]
    with transaction(engine) as session:
        upsert(session, HouseholdRating, rows, key=key)
    with transaction(engine) as session:
        written = upsert(session, HouseholdRating, [*rows, _rating("R1200", stars=1)], key=key)
        if engine.dialect.name == "postgresql":
            # A row locked by `ON CONFLICT DO UPDATE` carries the locker's transaction id in `xmax`,
            # written to its page (and the WAL) although its values stay as they were.
            lockers = set(session.scalars(text("SELECT xmax::text FROM household_ratings")))
        else:
            lockers = {"0"}  # SQLite locks the database, not rows
    engine.dispose()

    assert written == 1
    assert lockers == {"0"}


def test_an_upsert_names_the_rows_it_inserted_or_changed(database_url: str) -> None:
    engine = make_engine(database_url)
    key = ("source_system", "source_record_id")
    with transaction(engine) as session:
        upsert(session, HouseholdRating, [_rating(f"R{i}", stars=5) for i in range(3)], key=key)
    changed = [_rating("R0", stars=5), _rating("R1", stars=8), _rating("R3", stars=2)]
    with transaction(engine) as session:
        ids = upserted_ids(session, HouseholdRating, changed, key=key)
        by_id = dict(session.execute(select(HouseholdRating.id, HouseholdRating.source_record_id)).all())
    engine.dispose()

    assert sorted(by_id[id_] for id_ in ids) == ["R1", "R3"]  # R0 is as it was


def test_an_upsert_gives_every_key_its_id_looking_up_only_the_unchanged_rows(database_url: str) -> None:
    engine = make_engine(database_url)
    key = ("source_system", "source_record_id")
    looked_up: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            looked_up.append(statement)

    with transaction(engine) as session:
        upsert(session, HouseholdRating, [_rating(f"R{i}", stars=5) for i in range(3)], key=key)
    first = [_rating(f"R{i}", stars=5) for i in range(3, 1500)]
    later = [_rating("R0", stars=5), _rating("R1", stars=8), _rating("R1500", stars=2)]
    event.listen(engine, "before_cursor_execute", count)
    with transaction(engine) as session:
        new_only = upsert_with_ids(session, HouseholdRating, first, key=key)
        new_lookups = len(looked_up)
        mixed = upsert_with_ids(session, HouseholdRating, later, key=key)
        mixed_lookups = len(looked_up) - new_lookups
        by_key = {
            (r.source_system, r.source_record_id): r.id
            for r in session.execute(
                select(HouseholdRating.id, HouseholdRating.source_system, HouseholdRating.source_record_id)
            )
        }
    event.remove(engine, "before_cursor_execute", count)
    engine.dispose()

    assert new_only == (1497, {k: by_key[k] for k in by_key if k[1] not in {"R0", "R1", "R2", "R1500"}})
    assert new_lookups == 0  # every row was new: its id came back from its insert
    assert mixed == (
        2,
        {
            k: by_key[k]
            for k in [("civil_affairs", "R0"), ("civil_affairs", "R1"), ("civil_affairs", "R1500")]
        },
    )
    assert mixed_lookups == 1  # R0, unchanged, is the one looked up


def test_an_update_keeps_when_the_row_was_first_loaded(database_url: str) -> None:
    engine = make_engine(database_url)
    later = AT + dt.timedelta(days=1)
    key = ("source_system", "source_record_id")
    with transaction(engine) as session:
        upsert(session, HouseholdRating, [_rating("R1", stars=5), _rating("R2", stars=5)], key=key)
    with transaction(engine) as session:
        upsert(
            session,
            HouseholdRating,
            [_rating("R1", stars=8, at=later), _rating("R3", stars=1, at=later)],
            key=key,
        )
        stored = {
            row.source_record_id: (row.loaded_at, row.first_loaded_at)
            for row in session.execute(
                select(
                    HouseholdRating.source_record_id,
                    HouseholdRating.loaded_at,
                    HouseholdRating.first_loaded_at,
                )
            )
        }
    engine.dispose()

    assert stored == {"R1": (later, AT), "R2": (AT, AT), "R3": (later, later)}


def test_a_batch_of_integer_keys_finds_exactly_its_rows(database_url: str) -> None:
    """`key_in`: one array parameter on PostgreSQL, sent as a literal; keys past 32 bits, a null
    key and an empty batch find what `IN` finds."""
    engine = make_engine(database_url)
    keys = [{"key_hash": 2**40 + n, "person_source_id": n} for n in range(5)]
    keys.append({"key_hash": -(2**62), "person_source_id": 7})
    with transaction(engine) as session:
        insert_rows(session, PersonBlockKey.__table__, keys)

    sent: list[Any] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[3]))

    def found(column: Any, values: list[Any]) -> set[int]:
        with transaction(engine) as session:
            return set(session.execute(select(column).where(key_in(session, column, values))).scalars())

    assert found(PersonBlockKey.key_hash, [2**40 + 1, -(2**62), None, 3]) == {2**40 + 1, -(2**62)}
    assert found(PersonBlockKey.person_source_id, [0, 4, 7, 99]) == {0, 4, 7}
    assert found(PersonBlockKey.person_source_id, []) == set()
    engine.dispose()
    if engine.dialect.name == "postgresql":
        assert [list(parameters.values()) for parameters in sent] == [
            [f"{{{2**40 + 1},{-(2**62)},NULL,3}}"],
            ["{0,4,7,99}"],
            ["{}"],
        ]
