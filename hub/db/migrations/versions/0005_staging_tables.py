"""staging tables stg_*; dq_results per-suite totals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 00:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.db.base

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stg_cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('case_no', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('category', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('opened_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('division_code', sa.Text(), nullable=True),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.Column('closed_at', hub.db.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('resolution_level', sa.String(length=32), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('satisfaction', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('channel', sa.Text(), nullable=True),
    sa.Column('assigned_to', sa.Text(), nullable=True),
    sa.Column('is_repeat', sa.Boolean(), nullable=False),
    sa.Column('is_group', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('amount', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_cases'))
    )
    with op.batch_alter_table('stg_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_cases_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_divisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.Text(), nullable=False),
    sa.Column('parent_code', sa.Text(), nullable=True),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_divisions'))
    )
    with op.batch_alter_table('stg_divisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_divisions_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_grid_addresses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('grid_code', sa.Text(), nullable=False),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_grid_addresses'))
    )
    with op.batch_alter_table('stg_grid_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_grid_addresses_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_grid_workers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('worker_no', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('grid_code', sa.Text(), nullable=False),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_grid_workers'))
    )
    with op.batch_alter_table('stg_grid_workers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_grid_workers_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_grids',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.Text(), nullable=False),
    sa.Column('division_code', sa.Text(), nullable=False),
    sa.Column('parent_code', sa.Text(), nullable=True),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_grids'))
    )
    with op.batch_alter_table('stg_grids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_grids_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_household_ratings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('hh_no', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.Column('assessed_by', sa.Text(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_household_ratings'))
    )
    with op.batch_alter_table('stg_household_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_household_ratings_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_households',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('hh_no', sa.Text(), nullable=False),
    sa.Column('division_code', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_households'))
    )
    with op.batch_alter_table('stg_households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_households_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_moral_point_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('entry_no', sa.Text(), nullable=False),
    sa.Column('hh_no', sa.Text(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_moral_point_entries'))
    )
    with op.batch_alter_table('stg_moral_point_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_moral_point_entries_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_person_tags',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('payload_hash', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('staged_at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('person_name', sa.Text(), nullable=False),
    sa.Column('person_id_number', sa.Text(), nullable=True),
    sa.Column('person_id_number_as_sent', sa.Text(), nullable=True),
    sa.Column('person_sex', sa.Text(), nullable=True),
    sa.Column('person_ethnicity', sa.Text(), nullable=True),
    sa.Column('person_birth_date', sa.Date(), nullable=True),
    sa.Column('person_phone', sa.Text(), nullable=True),
    sa.Column('person_name_as_sent', sa.Text(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.Column('amount', sa.Text(), nullable=True),
    sa.Column('household_no', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stg_person_tags'))
    )
    with op.batch_alter_table('stg_person_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stg_person_tags_source_system'), ['source_system', 'stream', 'source_record_id'], unique=False)

    op.create_table('stg_case_events',
    sa.Column('staging_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', hub.db.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['staging_id'], ['stg_cases.id'], name=op.f('fk_stg_case_events_staging_id_stg_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staging_id', 'position', name=op.f('pk_stg_case_events'))
    )
    op.create_table('stg_case_links',
    sa.Column('staging_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('target_case_no', sa.Text(), nullable=False),
    sa.Column('relation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['staging_id'], ['stg_cases.id'], name=op.f('fk_stg_case_links_staging_id_stg_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staging_id', 'position', name=op.f('pk_stg_case_links'))
    )
    op.create_table('stg_case_parties',
    sa.Column('staging_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.Text(), nullable=False),
    sa.Column('person_id_number', sa.Text(), nullable=True),
    sa.Column('person_id_number_as_sent', sa.Text(), nullable=True),
    sa.Column('person_sex', sa.Text(), nullable=True),
    sa.Column('person_ethnicity', sa.Text(), nullable=True),
    sa.Column('person_birth_date', sa.Date(), nullable=True),
    sa.Column('person_phone', sa.Text(), nullable=True),
    sa.Column('person_name_as_sent', sa.Text(), nullable=True),
    sa.Column('role', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['staging_id'], ['stg_cases.id'], name=op.f('fk_stg_case_parties_staging_id_stg_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staging_id', 'position', name=op.f('pk_stg_case_parties'))
    )
    op.create_table('stg_household_members',
    sa.Column('staging_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.Text(), nullable=False),
    sa.Column('person_id_number', sa.Text(), nullable=True),
    sa.Column('person_id_number_as_sent', sa.Text(), nullable=True),
    sa.Column('person_sex', sa.Text(), nullable=True),
    sa.Column('person_ethnicity', sa.Text(), nullable=True),
    sa.Column('person_birth_date', sa.Date(), nullable=True),
    sa.Column('person_phone', sa.Text(), nullable=True),
    sa.Column('person_name_as_sent', sa.Text(), nullable=True),
    sa.Column('relation', sa.Text(), nullable=False),
    sa.Column('source_system', sa.Text(), nullable=False),
    sa.Column('source_record_id', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['staging_id'], ['stg_households.id'], name=op.f('fk_stg_household_members_staging_id_stg_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staging_id', 'position', name=op.f('pk_stg_household_members'))
    )
    with op.batch_alter_table('dq_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('table_rows', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('suite_broken', sa.Boolean(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('dq_results', schema=None) as batch_op:
        batch_op.drop_column('suite_broken')
        batch_op.drop_column('table_rows')

    op.drop_table('stg_household_members')
    op.drop_table('stg_case_parties')
    op.drop_table('stg_case_links')
    op.drop_table('stg_case_events')
    with op.batch_alter_table('stg_person_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_person_tags_source_system'))

    op.drop_table('stg_person_tags')
    with op.batch_alter_table('stg_moral_point_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_moral_point_entries_source_system'))

    op.drop_table('stg_moral_point_entries')
    with op.batch_alter_table('stg_households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_households_source_system'))

    op.drop_table('stg_households')
    with op.batch_alter_table('stg_household_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_household_ratings_source_system'))

    op.drop_table('stg_household_ratings')
    with op.batch_alter_table('stg_grids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_grids_source_system'))

    op.drop_table('stg_grids')
    with op.batch_alter_table('stg_grid_workers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_grid_workers_source_system'))

    op.drop_table('stg_grid_workers')
    with op.batch_alter_table('stg_grid_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_grid_addresses_source_system'))

    op.drop_table('stg_grid_addresses')
    with op.batch_alter_table('stg_divisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_divisions_source_system'))

    op.drop_table('stg_divisions')
    with op.batch_alter_table('stg_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stg_cases_source_system'))

    op.drop_table('stg_cases')
