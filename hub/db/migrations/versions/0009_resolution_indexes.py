"""resolution bookkeeping that costs less to write: a partial index on the unresolved mentions,
person_block_keys without its foreign key (and without rowid on SQLite)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNRESOLVED = sa.text("resolved_at IS NULL")
FOREIGN_KEY = "fk_person_block_keys_person_source_id_person_sources"


def upgrade() -> None:
    op.drop_index("ix_person_sources_resolved_at", table_name="person_sources")
    op.create_index(
        "ix_person_sources_unresolved",
        "person_sources",
        ["id"],
        sqlite_where=UNRESOLVED,
        postgresql_where=UNRESOLVED,
    )
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_block_keys(with_rowid=False, foreign_key=False)
    else:
        op.drop_constraint(FOREIGN_KEY, "person_block_keys", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_block_keys(with_rowid=True, foreign_key=True)
    else:
        op.create_foreign_key(
            FOREIGN_KEY,
            "person_block_keys",
            "person_sources",
            ["person_source_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.drop_index("ix_person_sources_unresolved", table_name="person_sources")
    op.create_index("ix_person_sources_resolved_at", "person_sources", ["resolved_at"])


def _rebuild_block_keys(*, with_rowid: bool, foreign_key: bool) -> None:
    """SQLite cannot change a table's rowid: copy the keys into a table created the other way."""
    constraints = [sa.PrimaryKeyConstraint("key_hash", "person_source_id", name="pk_person_block_keys")]
    if foreign_key:
        constraints.append(
            sa.ForeignKeyConstraint(
                ["person_source_id"], ["person_sources.id"], name=FOREIGN_KEY, ondelete="CASCADE"
            )
        )
    op.create_table(
        "person_block_keys_rebuilt",
        sa.Column("key_hash", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_source_id", sa.Integer(), nullable=False),
        *constraints,
        sqlite_with_rowid=with_rowid,
    )
    op.execute(
        "INSERT INTO person_block_keys_rebuilt (key_hash, person_source_id) "
        "SELECT key_hash, person_source_id FROM person_block_keys"
    )
    op.drop_index("ix_person_block_keys_person_source_id", table_name="person_block_keys")
    op.drop_table("person_block_keys")
    op.rename_table("person_block_keys_rebuilt", "person_block_keys")
    op.create_index("ix_person_block_keys_person_source_id", "person_block_keys", ["person_source_id"])
