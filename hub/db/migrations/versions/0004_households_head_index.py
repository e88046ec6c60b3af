"""index households.head_person_id (merging persons moves headships)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 22:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_head_person_id'), ['head_person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_head_person_id'))
