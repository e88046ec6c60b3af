"""Reading quality history for auditors (GraphQL, report): runs, results, held-back rows, quarantine.

Every function returns frozen dataclasses, never ORM objects; personal data in rows and payloads is
masked here (`hub.quality.masking`), so no caller can forget to. The functions that take a viewer
serve the API: they admit auditors and administrators only (DESIGN §8) and page by keyset, `first`
1–100; the others serve the offline report and the CLI, which act as the system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub.errors import Forbidden
from hub.privacy import mask_name
from hub.quality.masking import mask_text, mask_value
from hub.warehouse.ingestion.models import QuarantinedRecord
from hub.warehouse.pagination import Page, check_page_size, keyset, page_of
from hub.warehouse.quality.models import DqFailure, DqReconciliation, DqResult, DqRun
from hub.warehouse.viewer import Role, Viewer

MAX_PAGE = 100
QUALITY_READERS = frozenset({Role.AUDITOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class QualityRunRow:
    id: int
    run_id: str
    trigger: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime
    suites: int
    expectations: int
    expectations_failed: int
    rows_checked: int
    rows_failed: int
    gx_version: str
    # Row-local rules checked only the rows loaded since then, carrying earlier verdicts for the rest.
    changed_since: dt.datetime | None = None

    @property
    def pass_rate(self) -> float:
        """Share of expectations that held."""
        return 1 - self.expectations_failed / self.expectations if self.expectations else 1.0


@dataclass(frozen=True, slots=True)
class QualityResultRow:
    id: int
    suite: str
    suite_version: int
    layer: str
    table_name: str
    rule: str
    expectation_type: str
    column_name: str | None
    level: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: str | None
    reason: str
    exception: str | None


@dataclass(frozen=True, slots=True)
class HeldRow:
    """A row a rule held back, masked: the rule, why, where it came from, and what it said."""

    id: int
    table_name: str
    row_id: str
    rule: str
    reason: str
    source_system: str | None
    source_record_id: str | None
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    source_system: str
    stream: str
    landed: int
    published: int
    quarantined: int
    unaccounted: int
    flagged: int
    reconciles: bool


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A source record the pipelines quarantined at mapping or loading, masked."""

    id: int
    source_system: str
    stream: str
    source_record_id: str
    rule: str
    reason: str
    run_id: str
    quarantined_at: dt.datetime
    payload: Any


@dataclass(frozen=True, slots=True)
class QualityRunDetail:
    run: QualityRunRow
    results: tuple[QualityResultRow, ...]
    reconciliation: tuple[ReconciliationRow, ...]


@dataclass(frozen=True, slots=True)
class QuarantineFilter:
    """Which quarantined records to list; every given condition must hold."""

    source_system: str | None = None
    stream: str | None = None
    rule: str | None = None


def list_quality_runs(
    *, session: Session, first: int = 20, before_id: int | None = None
) -> list[QualityRunRow]:
    """Runs newest first, one page at a time (`before_id`: the last id of the previous page)."""
    statement = _runs_newest_first(before_id).limit(min(max(first, 1), MAX_PAGE))
    return [_run_row(run) for run in session.scalars(statement)]


def page_quality_runs(
    *, session: Session, viewer: Viewer, after: int | None = None, first: int = 20
) -> Page[QualityRunRow]:
    """Runs newest first for auditors, `first` (1–100) at a time, continuing below the run id `after`."""
    _check_reads_quality(viewer)
    check_page_size(first)
    runs = [_run_row(run) for run in session.scalars(_runs_newest_first(after).limit(first + 1))]
    return page_of(runs, first=first, id_of=lambda run: run.id)


def get_quality_run_row(*, session: Session, viewer: Viewer, dq_run_id: int) -> QualityRunRow | None:
    """One run's summary for auditors, without its results; None when there is no such run."""
    _check_reads_quality(viewer)
    run = session.get(DqRun, dq_run_id)
    return _run_row(run) if run is not None else None


def read_quality_run(
    *, session: Session, viewer: Viewer, dq_run_id: int | None = None
) -> QualityRunDetail | None:
    """`get_quality_run` for auditors: one run (the latest when no id is given) with its results."""
    _check_reads_quality(viewer)
    return get_quality_run(session=session, dq_run_id=dq_run_id)


def count_quality_runs(*, session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(DqRun)) or 0)


def get_quality_run(*, session: Session, dq_run_id: int | None = None) -> QualityRunDetail | None:
    """One run with every result and the reconciliation; the latest run when no id is given."""
    statement = select(DqRun)
    statement = (
        statement.where(DqRun.id == dq_run_id)
        if dq_run_id is not None
        else statement.order_by(DqRun.id.desc())
    )
    run = session.scalars(statement.limit(1)).first()
    if run is None:
        return None
    results = session.scalars(select(DqResult).where(DqResult.dq_run_id == run.id).order_by(DqResult.id))
    streams = session.scalars(
        select(DqReconciliation)
        .where(DqReconciliation.dq_run_id == run.id)
        .order_by(DqReconciliation.source_system, DqReconciliation.stream)
    )
    return QualityRunDetail(
        run=_run_row(run),
        results=tuple(_result_row(r) for r in results),
        reconciliation=tuple(
            ReconciliationRow(
                source_system=s.source_system,
                stream=s.stream,
                landed=s.landed,
                published=s.published,
                quarantined=s.quarantined,
                unaccounted=s.unaccounted,
                flagged=s.flagged,
                reconciles=s.reconciles,
            )
            for s in streams
        ),
    )


def list_held_rows(
    *,
    session: Session,
    dq_run_id: int,
    rule: str | None = None,
    table_name: str | None = None,
    first: int = 20,
    after_id: int | None = None,
) -> list[HeldRow]:
    """Rows a run's rules held back, masked, in id order, one page at a time."""
    statement = (
        _held_rows(dq_run_id=dq_run_id, rule=rule, table_name=table_name)
        .order_by(DqFailure.id)
        .limit(min(max(first, 1), MAX_PAGE))
    )
    if after_id is not None:
        statement = statement.where(DqFailure.id > after_id)
    return [_held_row(f) for f in session.scalars(statement)]


def page_held_rows(
    *,
    session: Session,
    viewer: Viewer,
    dq_run_id: int,
    rule: str | None = None,
    table_name: str | None = None,
    after: int | None = None,
    first: int = 20,
) -> Page[HeldRow]:
    """Rows a run's rules held back, masked, for auditors, in id order, `first` (1–100) at a time."""
    _check_reads_quality(viewer)
    statement = _held_rows(dq_run_id=dq_run_id, rule=rule, table_name=table_name)
    rows = [_held_row(f) for f in session.scalars(keyset(statement, DqFailure.id, after=after, first=first))]
    return page_of(rows, first=first, id_of=lambda row: row.id)


def held_rows_by_rule(*, session: Session, dq_run_id: int, per_rule: int) -> dict[str, list[HeldRow]]:
    """Up to `per_rule` masked sample rows for each rule that held rows back in the run."""
    rules = session.scalars(select(DqFailure.rule).where(DqFailure.dq_run_id == dq_run_id).distinct())
    return {
        rule: list_held_rows(session=session, dq_run_id=dq_run_id, rule=rule, first=per_rule)
        for rule in rules
    }


def page_quarantined(
    *,
    session: Session,
    viewer: Viewer,
    where: QuarantineFilter = QuarantineFilter(),
    after: int | None = None,
    first: int = 20,
) -> Page[QuarantinedRow]:
    """Records the pipelines quarantined, masked, for auditors, in id order, `first` (1–100) at a time."""
    _check_reads_quality(viewer)
    statement = select(QuarantinedRecord)
    if where.source_system is not None:
        statement = statement.where(QuarantinedRecord.source_system == where.source_system)
    if where.stream is not None:
        statement = statement.where(QuarantinedRecord.stream == where.stream)
    if where.rule is not None:
        statement = statement.where(QuarantinedRecord.rule == where.rule)
    rows = [
        QuarantinedRow(
            id=q.id,
            source_system=q.source_system,
            stream=q.stream,
            source_record_id=mask_text(q.source_record_id),
            rule=q.rule,
            reason=mask_text(q.reason),
            run_id=q.run_id,
            quarantined_at=q.quarantined_at,
            payload=_masked_payload(q.payload),
        )
        for q in session.scalars(keyset(statement, QuarantinedRecord.id, after=after, first=first))
    ]
    return page_of(rows, first=first, id_of=lambda row: row.id)


def quarantine_counts(*, session: Session) -> list[tuple[str, str, str, int]]:
    """(source system, stream, rule, records) over everything quarantined so far."""
    statement = (
        select(
            QuarantinedRecord.source_system, QuarantinedRecord.stream, QuarantinedRecord.rule, func.count()
        )
        .group_by(QuarantinedRecord.source_system, QuarantinedRecord.stream, QuarantinedRecord.rule)
        .order_by(func.count().desc())
    )
    return [(s, st, r, int(n)) for s, st, r, n in session.execute(statement)]


def recent_runs_trend(*, session: Session, last: int = 20) -> Sequence[QualityRunRow]:
    """The last `last` runs, oldest first (for a trend line)."""
    return list(reversed(list_quality_runs(session=session, first=last)))


def _check_reads_quality(viewer: Viewer) -> None:
    """Quality history shows rows held back and records quarantined: auditors and administrators only."""
    if viewer.role not in QUALITY_READERS:
        raise Forbidden("only auditors and administrators may read the data-quality history")


def _runs_newest_first(before_id: int | None) -> Select[DqRun]:
    statement = select(DqRun).order_by(DqRun.id.desc())
    return statement if before_id is None else statement.where(DqRun.id < before_id)


def _held_rows(*, dq_run_id: int, rule: str | None, table_name: str | None) -> Select[DqFailure]:
    statement = select(DqFailure).where(DqFailure.dq_run_id == dq_run_id)
    if rule is not None:
        statement = statement.where(DqFailure.rule == rule)
    if table_name is not None:
        statement = statement.where(DqFailure.table_name == table_name)
    return statement


def _held_row(f: DqFailure) -> HeldRow:
    return HeldRow(
        id=f.id,
        table_name=f.table_name,
        row_id=f.row_id,
        rule=f.rule,
        reason=f.reason,
        source_system=f.source_system,
        source_record_id=None if f.source_record_id is None else mask_text(f.source_record_id),
        values=_masked_values(f.payload),
    )


def _masked_values(payload: str) -> dict[str, Any]:
    values: dict[str, Any] = mask_value(orjson.loads(payload))
    # A person without an ID number is keyed on the record that mentions them and their full name,
    # `src:<system>:<record id>:<name>` (`hub.warehouse.persons.loading.identity_key`); the ID number
    # of an `id:` key is already masked as free text.
    key = values.get("identity_key")
    if isinstance(key, str) and key.startswith("src:"):
        mention, _, name = key.rpartition(":")
        values["identity_key"] = f"{mention}:{mask_name(name)}"
    return values


def _masked_payload(payload: str | None) -> Any:
    if payload is None:
        return None
    try:
        return mask_value(orjson.loads(payload))
    except orjson.JSONDecodeError:
        return mask_text(payload)


def _run_row(run: DqRun) -> QualityRunRow:
    return QualityRunRow(
        id=run.id,
        run_id=run.run_id,
        trigger=run.trigger,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        suites=run.suites,
        expectations=run.expectations,
        expectations_failed=run.expectations_failed,
        rows_checked=run.rows_checked,
        rows_failed=run.rows_failed,
        gx_version=run.gx_version,
        changed_since=run.changed_since,
    )


def _result_row(r: DqResult) -> QualityResultRow:
    return QualityResultRow(
        id=r.id,
        suite=r.suite,
        suite_version=r.suite_version,
        layer=r.layer,
        table_name=r.table_name,
        rule=r.rule,
        expectation_type=r.expectation_type,
        column_name=r.column_name,
        level=r.level,
        success=r.success,
        element_count=r.element_count,
        unexpected_count=r.unexpected_count,
        unexpected_percent=r.unexpected_percent,
        observed_value=r.observed_value,
        reason=r.reason,
        exception=r.exception,
    )
