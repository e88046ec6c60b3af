"""access_log: one row per request, naming its persons (an indexed integer array on PostgreSQL)

The rows logged so far are regrouped by request, in the order they were written; downgrading
spreads each request's persons back over one row each.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import hub.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_COLUMNS = "request_id, at, user_id, role, operation, query_digest, unmasked"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _common_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("at", hub.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("operation", sa.String(length=100), nullable=False),
        sa.Column("query_digest", sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    # Kept aside while the table is rebuilt under its own name (its constraint, index and sequence
    # names stay free for the new one).
    # SQLite's json_group_array takes the rows in the order they come, hence the ordered subquery.
    persons = "array_agg(person_id ORDER BY person_id)" if _postgresql() else "json_group_array(person_id)"
    op.execute(
        f"CREATE TEMPORARY TABLE access_log_by_request AS SELECT min(id) AS first_id, {REQUEST_COLUMNS}, "
        f"{persons} AS person_ids FROM (SELECT * FROM access_log ORDER BY person_id) AS logged "
        f"GROUP BY {REQUEST_COLUMNS}"
    )
    op.drop_table("access_log")
    op.create_table(
        "access_log",
        *_common_columns(),
        sa.Column("unmasked", sa.Boolean(), nullable=False),
        sa.Column(
            "person_ids",
            sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_user_id_at", "access_log", ["user_id", "at"], unique=False)
    if _postgresql():
        op.create_index(
            "ix_access_log_person_ids", "access_log", ["person_ids"], unique=False, postgresql_using="gin"
        )
    op.execute(
        f"INSERT INTO access_log ({REQUEST_COLUMNS}, person_ids) "
        f"SELECT {REQUEST_COLUMNS}, person_ids FROM access_log_by_request ORDER BY first_id"
    )
    op.execute("DROP TABLE access_log_by_request")


def downgrade() -> None:
    if _postgresql():
        spread = "FROM access_log, unnest(access_log.person_ids) AS person(person_id)"
        person = "person.person_id"
    else:
        spread = "FROM access_log, json_each(access_log.person_ids) AS person"
        person = "person.value"
    op.execute(
        "CREATE TEMPORARY TABLE access_log_by_person AS "
        f"SELECT access_log.id AS entry_id, {REQUEST_COLUMNS}, {person} AS person_id {spread}"
    )
    op.drop_table("access_log")
    op.create_table(
        "access_log",
        *_common_columns(),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unmasked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_person_id_at", "access_log", ["person_id", "at"], unique=False)
    op.create_index("ix_access_log_user_id_at", "access_log", ["user_id", "at"], unique=False)
    op.execute(
        f"INSERT INTO access_log ({REQUEST_COLUMNS}, person_id) "
        f"SELECT {REQUEST_COLUMNS}, person_id FROM access_log_by_person ORDER BY entry_id, person_id"
    )
    op.execute("DROP TABLE access_log_by_person")
