"""Every row of every warehouse table, to prove that a run changed nothing.

The append-only logs are left out: each run adds its own quality results (dq_*) by design, and reads
add access-log rows; neither is data a re-run may change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.db.engine import make_engine
from hub.warehouse.models import metadata

APPEND_ONLY = frozenset({"dq_runs", "dq_results", "dq_failures", "dq_reconciliation", "access_log"})


def warehouse_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
                for name, table in metadata.tables.items()
                if name not in APPEND_ONLY
            }
    finally:
        engine.dispose()
