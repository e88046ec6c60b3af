"""staging child tables without foreign keys to their parents (the staging service removes them
together; the per-row check was planned from an empty parent's statistics on PostgreSQL)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHILDREN = {
    "stg_case_events": "stg_cases",
    "stg_case_links": "stg_cases",
    "stg_case_parties": "stg_cases",
    "stg_household_members": "stg_households",
}


def _name(child: str, parent: str) -> str:
    return f"fk_{child}_staging_id_{parent}"


def upgrade() -> None:
    for child, parent in CHILDREN.items():
        with op.batch_alter_table(child) as batch:
            batch.drop_constraint(_name(child, parent), type_="foreignkey")


def downgrade() -> None:
    for child, parent in CHILDREN.items():
        with op.batch_alter_table(child) as batch:
            batch.create_foreign_key(_name(child, parent), parent, ["staging_id"], ["id"], ondelete="CASCADE")
