"""access_log keeps only the indexes its queries use (by person, by user)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 03:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_access_log_request_id", table_name="access_log")
    op.drop_index("ix_access_log_at", table_name="access_log")


def downgrade() -> None:
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_index("ix_access_log_request_id", "access_log", ["request_id"])
