"""Every row of every warehouse table, to prove that a run changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.db.engine import make_engine
from hub.warehouse.models import metadata


def warehouse_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()
