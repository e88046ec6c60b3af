"""Core rows remember when they were first loaded; the reconciliation counts on from its previous run

The source reconciliation counts, per stream, records landed, published and quarantined. Instead of
counting every record again, a run takes the counts its previous run recorded for the records as
they stood at that run's `next_since`, and recounts only the records with anything written since
(`hub.quality.reconciliation`). For that every core row keeps `first_loaded_at` (an update leaves
it), a quarantined record `first_quarantined_at`; landing, quarantine and the record tables are
indexed on what finds those records; `dq_reconciliation` records the counts at `next_since`.

Existing rows take their `loaded_at` (`quarantined_at`) as the first; no run recorded before this
revision has counts at `next_since`, so the first run after it counts everything.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CORE_TABLES = (
    "divisions",
    "grids",
    "grid_workers",
    "grid_addresses",
    "persons",
    "person_sources",
    "households",
    "household_members",
    "household_ratings",
    "moral_point_entries",
    "person_tags",
    "cases",
    "case_parties",
    "case_links",
    "case_events",
)
# The record tables without a unique constraint on (source_system, source_record_id).
SOURCE_RECORD_INDEXED = ("divisions", "grids", "grid_workers", "grid_addresses", "households", "cases")
COUNTS = ("landed_by_next_since", "published_by_next_since", "quarantined_by_next_since")


def _add_first_moment(table: str, column: str, copied_from: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(column, hub.db.base.UtcDateTime(timezone=True), nullable=True))
    op.execute(f"UPDATE {table} SET {column} = {copied_from}")
    with op.batch_alter_table(table) as batch:
        batch.alter_column(column, existing_type=hub.db.base.UtcDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    for table in CORE_TABLES:
        _add_first_moment(table, "first_loaded_at", "loaded_at")
    _add_first_moment("quarantined_records", "first_quarantined_at", "quarantined_at")
    op.create_index("ix_quarantined_records_quarantined_at", "quarantined_records", ["quarantined_at"])
    op.create_index("ix_raw_records_fetched_at", "raw_records", ["fetched_at"])
    for table in SOURCE_RECORD_INDEXED:
        op.create_index(f"ix_{table}_source_record", table, ["source_system", "source_record_id"])
    with op.batch_alter_table("dq_reconciliation") as batch:
        for column in COUNTS:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dq_reconciliation") as batch:
        for column in reversed(COUNTS):
            batch.drop_column(column)
    for table in reversed(SOURCE_RECORD_INDEXED):
        op.drop_index(f"ix_{table}_source_record", table_name=table)
    op.drop_index("ix_raw_records_fetched_at", table_name="raw_records")
    op.drop_index("ix_quarantined_records_quarantined_at", table_name="quarantined_records")
    with op.batch_alter_table("quarantined_records") as batch:
        batch.drop_column("first_quarantined_at")
    for table in reversed(CORE_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("first_loaded_at")
