"""drop the single-column indexes whose column leads a unique key of the same table

`household_members.household_id`, `case_parties.case_id`, `case_links.case_id`,
`case_events.case_id`, `dq_results.dq_run_id`, `dq_failures.dq_result_id` and
`dq_reconciliation.dq_run_id` each had an index of their own beside a unique key that starts with
the same column. A look-up by that column uses the unique key's index as well; the second index
only cost every insert another index entry (989,038 household members in a first load at
1,000,000 persons, and the events and parties of every case a daily run changes).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 16:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERED = (
    ("household_members", "household_id"),
    ("case_parties", "case_id"),
    ("case_links", "case_id"),
    ("case_events", "case_id"),
    ("dq_results", "dq_run_id"),
    ("dq_failures", "dq_result_id"),
    ("dq_reconciliation", "dq_run_id"),
)


def upgrade() -> None:
    for table, column in COVERED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column in COVERED:
        op.create_index(f"ix_{table}_{column}", table, [column])
