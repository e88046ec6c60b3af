"""Rows of integers inserted from a NumPy array come back exactly, at each column's full range."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine, Table, select

from hub.db.arrays import insert_integer_rows
from hub.db.engine import transaction
from hub.warehouse.persons.models import PersonBlockKey

TABLE = PersonBlockKey.__table__
assert isinstance(TABLE, Table)
COLUMNS = ("key_hash", "person_source_id")


def test_every_row_comes_back_with_its_values_at_the_edges_of_their_types(engine: Engine) -> None:
    int64, int32 = np.iinfo(np.int64), np.iinfo(np.int32)
    rows = np.array(
        [
            [int64.min, 1],
            [-1, int32.max],
            [0, 0],
            [int64.max, int32.min],
            *([k * 7919, k % 97] for k in range(1, 5001)),
        ],
        dtype=np.int64,
    )

    with transaction(engine) as session:
        insert_integer_rows(session, TABLE, COLUMNS, rows)

    with engine.connect() as connection:
        stored = sorted(
            tuple(row) for row in connection.execute(select(TABLE.c.key_hash, TABLE.c.person_source_id))
        )
    assert stored == sorted(tuple(row) for row in rows.tolist())


def test_an_empty_array_inserts_nothing(engine: Engine) -> None:
    with transaction(engine) as session:
        insert_integer_rows(session, TABLE, COLUMNS, np.empty((0, 2), dtype=np.int64))

    with engine.connect() as connection:
        assert connection.execute(select(TABLE.c.key_hash)).first() is None


def test_a_value_too_wide_for_its_column_is_refused_before_anything_is_written(engine: Engine) -> None:
    rows = np.array([[1, 1], [2, 2**31]], dtype=np.int64)

    too_wide = pytest.raises(ValueError, match="person_source_id: a value does not fit in 4 bytes")
    with too_wide, transaction(engine) as session:
        insert_integer_rows(session, TABLE, COLUMNS, rows)

    with engine.connect() as connection:
        assert connection.execute(select(TABLE.c.key_hash)).first() is None
