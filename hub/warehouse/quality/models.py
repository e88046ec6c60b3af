"""dq_*: the history of data-quality runs, one row per run, suite expectation, failing row and stream.

A run (`dq_runs`, one per pipeline run) checks the staging suites before publishing and the core
suites after, each layer recorded when it ran; each expectation's
outcome is a `dq_results` row with its counts; every row an expectation found at fault is a
`dq_failures` row (held back: the rule, a readable reason, the row as it stood); `dq_reconciliation`
says per source stream how many records were landed, published and quarantined. Rows are only
ever added, so the tables are the audit trail auditors read trends from.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, UtcDateTime


class DqRun(Base):
    """One run of every suite against the warehouse (per pipeline run, or `hub quality run`)."""

    __tablename__ = "dq_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Dagster run id when a pipeline ran the suites, else a fresh uuid.
    run_id: Mapped[str] = mapped_column(String(64), unique=True)
    trigger: Mapped[str] = mapped_column(String(16))  # pipeline | cli | test
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    finished_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    # passed: nothing failed; warned: rows were held back; failed: a table is structurally broken.
    status: Mapped[str] = mapped_column(String(8))
    suites: Mapped[int] = mapped_column(Integer)
    expectations: Mapped[int] = mapped_column(Integer)
    expectations_failed: Mapped[int] = mapped_column(Integer)
    rows_checked: Mapped[int] = mapped_column(Integer)
    rows_failed: Mapped[int] = mapped_column(Integer)
    gx_version: Mapped[str] = mapped_column(String(16))
    # The core suites' `changed`-scope rules saw only the rows loaded at or after this moment, and
    # carried the earlier failures of the rest (`hub.quality.scope`); None: they saw whole tables.
    changed_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Where a later run may start checking only what changed: every row loaded before it was
    # committed before this run read. None: no later run may start from this one.
    next_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class DqResult(Base):
    """One expectation's outcome in one run: the rule, whether it held, and the counts."""

    __tablename__ = "dq_results"
    __table_args__ = (UniqueConstraint("dq_run_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dq_run_id: Mapped[int] = mapped_column(ForeignKey("dq_runs.id", ondelete="CASCADE"))
    suite: Mapped[str] = mapped_column(String(64), index=True)
    suite_version: Mapped[int] = mapped_column(Integer)
    layer: Mapped[str] = mapped_column(String(16))  # core | staging
    table_name: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(96))
    expectation_type: Mapped[str] = mapped_column(String(96))
    column_name: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))  # row | batch
    success: Mapped[bool] = mapped_column(Boolean)
    element_count: Mapped[int | None] = mapped_column(Integer)
    unexpected_count: Mapped[int | None] = mapped_column(Integer)
    unexpected_percent: Mapped[float | None] = mapped_column(Float)
    observed_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    exception: Mapped[str | None] = mapped_column(Text)
    # The suite's, repeated on each of its results, so that a run's totals and status can be
    # recomputed when its other layer is recorded (NULL on runs recorded before they existed).
    table_rows: Mapped[int | None] = mapped_column(Integer)
    suite_broken: Mapped[bool | None] = mapped_column(Boolean)


class DqFailure(Base):
    """A row an expectation found at fault: held back for review with the rule and why."""

    __tablename__ = "dq_failures"
    __table_args__ = (UniqueConstraint("dq_result_id", "row_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dq_run_id: Mapped[int] = mapped_column(ForeignKey("dq_runs.id", ondelete="CASCADE"), index=True)
    dq_result_id: Mapped[int] = mapped_column(ForeignKey("dq_results.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(64))
    source_system: Mapped[str | None] = mapped_column(String(32), index=True)
    source_record_id: Mapped[str | None] = mapped_column(String(128))
    rule: Mapped[str] = mapped_column(String(96), index=True)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # the row as it stood, JSON (masked on display)


class DqReconciliation(Base):
    """Per source stream in one run: records landed vs published vs quarantined (they must add up)."""

    __tablename__ = "dq_reconciliation"
    __table_args__ = (UniqueConstraint("dq_run_id", "source_system", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dq_run_id: Mapped[int] = mapped_column(ForeignKey("dq_runs.id", ondelete="CASCADE"))
    source_system: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    landed: Mapped[int] = mapped_column(Integer)  # distinct source records in raw_records
    published: Mapped[int] = mapped_column(Integer)  # of which a core row carries the provenance
    quarantined: Mapped[int] = mapped_column(Integer)  # of which quarantined_records holds one
    unaccounted: Mapped[int] = mapped_column(Integer)  # neither: must be 0
    flagged: Mapped[int] = mapped_column(Integer)  # published rows a suite held back in this run
    reconciles: Mapped[bool] = mapped_column(Boolean)
    # The same counts over the records as they stood at the run's `next_since`, from which a later
    # run counts on (`hub.quality.reconciliation`); None when the run allowed no later one.
    landed_by_next_since: Mapped[int | None] = mapped_column(Integer)
    published_by_next_since: Mapped[int | None] = mapped_column(Integer)
    quarantined_by_next_since: Mapped[int | None] = mapped_column(Integer)
