"""a trigram index on household addresses (PostgreSQL), for addressContains

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    # pg_trgm is a trusted extension: the database's owner may create it without superuser rights.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index(
        'ix_households_address_trgm',
        'households',
        ['address'],
        unique=False,
        postgresql_using='gin',
        postgresql_ops={'address': 'gin_trgm_ops'},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_households_address_trgm', table_name='households', postgresql_using='gin')
