"""a pattern index on grid codes (PostgreSQL), for grid-subtree prefixes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 01:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.create_index(
        'ix_grids_code_pattern', 'grids', ['code'], unique=False, postgresql_ops={'code': 'text_pattern_ops'}
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_grids_code_pattern', table_name='grids')
