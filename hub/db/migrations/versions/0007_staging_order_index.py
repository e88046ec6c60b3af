"""staging: an index to read a stream in staging order

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db.base

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('stg_cases', schema=None) as batch_op:
        batch_op.create_index('ix_stg_cases_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_divisions', schema=None) as batch_op:
        batch_op.create_index('ix_stg_divisions_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_grid_addresses', schema=None) as batch_op:
        batch_op.create_index('ix_stg_grid_addresses_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_grid_workers', schema=None) as batch_op:
        batch_op.create_index('ix_stg_grid_workers_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_grids', schema=None) as batch_op:
        batch_op.create_index('ix_stg_grids_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_household_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_stg_household_ratings_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_households', schema=None) as batch_op:
        batch_op.create_index('ix_stg_households_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_moral_point_entries', schema=None) as batch_op:
        batch_op.create_index('ix_stg_moral_point_entries_stream_order', ['source_system', 'stream', 'id'], unique=False)

    with op.batch_alter_table('stg_person_tags', schema=None) as batch_op:
        batch_op.create_index('ix_stg_person_tags_stream_order', ['source_system', 'stream', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stg_person_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_person_tags_stream_order')

    with op.batch_alter_table('stg_moral_point_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_moral_point_entries_stream_order')

    with op.batch_alter_table('stg_households', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_households_stream_order')

    with op.batch_alter_table('stg_household_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_household_ratings_stream_order')

    with op.batch_alter_table('stg_grids', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_grids_stream_order')

    with op.batch_alter_table('stg_grid_workers', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_grid_workers_stream_order')

    with op.batch_alter_table('stg_grid_addresses', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_grid_addresses_stream_order')

    with op.batch_alter_table('stg_divisions', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_divisions_stream_order')

    with op.batch_alter_table('stg_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_stg_cases_stream_order')

