"""Inserting rows of integers held in a NumPy array, without a Python object per value.

A full resolution pass stores every mention's blocking keys afresh: at 1,000,000 persons 4.6 million
(key hash, mention) pairs, computed into an array. Turned into a dict per row for `insert_rows` they
took 22 s of the pass, on its single-process part (py-spy). On PostgreSQL the rows go instead as one
binary COPY whose bytes NumPy lays out from the array; elsewhere, through `insert_rows` in chunks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, Integer, SmallInteger, Table
from sqlalchemy.orm import Session

from hub.db.upsert import insert_rows

# COPY's binary format: a signature, flags and a header extension length, then the rows, then -1.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_TRAILER = (-1).to_bytes(2, "big", signed=True)
# Each value is sent as its length and its bytes, big-endian, at the column type's width. BigInteger
# and SmallInteger are subclasses of Integer, so they are matched first.
_WIDTHS = ((BigInteger, 8), (SmallInteger, 2), (Integer, 4))
CHUNK_ROWS = 1_000_000


def insert_integer_rows(
    session: Session, table: Table, names: Sequence[str], values: npt.NDArray[np.int64]
) -> None:
    """Insert each row of `values` (a 2-D array, one column per name, no nulls) into `table`."""
    if values.ndim != 2 or values.shape[1] != len(names):
        raise ValueError(f"expected rows of {len(names)} values, got an array of shape {values.shape}")
    if not len(values):
        return
    widths = [_width(table, name) for name in names]
    for position, width in enumerate(widths):
        column = values[:, position]
        bound = 2 ** (8 * width - 1)
        if column.min() < -bound or column.max() >= bound:
            raise ValueError(f"{table.name}.{names[position]}: a value does not fit in {width} bytes")
    if session.get_bind().dialect.name != "postgresql":
        for start in range(0, len(values), 10_000):
            chunk = values[start : start + 10_000].tolist()
            insert_rows(session, table, [dict(zip(names, row, strict=True)) for row in chunk])
        return
    layout: list[tuple[str, str]] = [("fields", ">i2")]
    for position, width in enumerate(widths):
        layout += [(f"length{position}", ">i4"), (f"value{position}", f">i{width}")]
    quote = session.get_bind().dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_SIGNATURE)
        for start in range(0, len(values), CHUNK_ROWS):
            chunk = values[start : start + CHUNK_ROWS]
            rows = np.empty(len(chunk), dtype=np.dtype(layout))
            rows["fields"] = len(names)
            for position, width in enumerate(widths):
                rows[f"length{position}"] = width
                rows[f"value{position}"] = chunk[:, position]
            copy.write(rows.tobytes())
        copy.write(_TRAILER)


def _width(table: Table, name: str) -> int:
    """The byte width of an integer column's binary form."""
    column_type = table.c[name].type
    for kind, width in _WIDTHS:
        if isinstance(column_type, kind):
            return width
    raise TypeError(f"{table.name}.{name} is {column_type}, not an integer column")
