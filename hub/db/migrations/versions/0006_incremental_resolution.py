"""incremental resolution: person_sources.resolved_at, person_block_keys

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db.base

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('person_block_keys',
    sa.Column('key_hash', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('person_source_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_source_id'], ['person_sources.id'], name=op.f('fk_person_block_keys_person_source_id_person_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key_hash', 'person_source_id', name=op.f('pk_person_block_keys'))
    )
    with op.batch_alter_table('person_block_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_block_keys_person_source_id'), ['person_source_id'], unique=False)

    with op.batch_alter_table('person_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', hub.db.base.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_sources_resolved_at'), ['resolved_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('person_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_sources_resolved_at'))
        batch_op.drop_column('resolved_at')

    with op.batch_alter_table('person_block_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_block_keys_person_source_id'))

    op.drop_table('person_block_keys')
