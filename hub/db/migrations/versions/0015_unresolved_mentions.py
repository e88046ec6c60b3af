"""the mentions waiting for resolution in a table of their own, not a column of every mention

A full resolution pass weighs every mention; marking each as resolved wrote a new version of every
`person_sources` row, in six indexes (29 s of the pass at 1,000,000 persons). The mentions a load
wrote or changed, or a reviewer's accepted pair named, are now the ids in `unresolved_mentions`,
taken out once a pass has weighed them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNRESOLVED = sa.text("resolved_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "unresolved_mentions",
        sa.Column("person_source_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("person_source_id", name=op.f("pk_unresolved_mentions")),
    )
    op.execute(
        "INSERT INTO unresolved_mentions (person_source_id) "
        "SELECT id FROM person_sources WHERE resolved_at IS NULL"
    )
    op.drop_index("ix_person_sources_unresolved", table_name="person_sources")
    with op.batch_alter_table("person_sources") as batch_op:
        batch_op.drop_column("resolved_at")


def downgrade() -> None:
    with op.batch_alter_table("person_sources") as batch_op:
        batch_op.add_column(sa.Column("resolved_at", hub.db.base.UtcDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE person_sources SET resolved_at = CURRENT_TIMESTAMP "
        "WHERE id NOT IN (SELECT person_source_id FROM unresolved_mentions)"
    )
    op.create_index(
        "ix_person_sources_unresolved",
        "person_sources",
        ["id"],
        sqlite_where=UNRESOLVED,
        postgresql_where=UNRESOLVED,
    )
    op.drop_table("unresolved_mentions")
