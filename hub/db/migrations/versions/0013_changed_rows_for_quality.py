"""Core rows indexed by when they were loaded; quality runs record what they checked from

A data-quality run checks its row-local rules on the rows loaded since the previous run only
(`hub.quality.scope`): every core table gets an index on `loaded_at`, and `dq_runs` records the
moment a run checked from and the moment a later run may start from.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db.base

revision: str = "0013"
down_revision: str | None = "0012"
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


def upgrade() -> None:
    for table in CORE_TABLES:
        op.create_index(f"ix_{table}_loaded_at", table, ["loaded_at"])
    with op.batch_alter_table("dq_runs") as batch:
        batch.add_column(sa.Column("changed_since", hub.db.base.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("next_since", hub.db.base.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dq_runs") as batch:
        batch.drop_column("next_since")
        batch.drop_column("changed_since")
    for table in reversed(CORE_TABLES):
        op.drop_index(f"ix_{table}_loaded_at", table_name=table)
