"""Data quality for auditors: runs, results per suite and rule, reconciliation, held and quarantined rows.

`QualityRun` is a `Node`, like every other thing the API lets a client refetch: the ID a run has in
`qualityRuns` opens it with `qualityRun(id)` or `node(id)`, and clients never see surrogate ids.
The run's results, reconciliation and held rows are on `QualityRunDetail`, the answer of
`qualityRun`, rather than on the run itself: each is read per run, so asking for them on a page of
runs would add statements with every run on the page (DESIGN §7).

Every type here is built from `hub.quality.service`, which admits auditors and administrators only
and masks personal data before it reaches this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from hub.api.context import Info, run_service
from hub.api.ids import from_cursor
from hub.api.types.enums import Department
from hub.api.types.labels import label, local_time
from hub.api.types.node import Connection, Node
from hub.errors import InvalidInput
from hub.quality import service as quality

# Streams, tables and rules are identifiers of at most 96 characters (dq_* and quarantine columns).
MAX_NAME_LENGTH = 96


def _exact_name(value: str | None, *, argument: str) -> str | None:
    """A stream, table or rule name to match exactly: 1 to 96 characters, surrounding blanks dropped."""
    if value is None:
        return None
    value = value.strip()
    if not 1 <= len(value) <= MAX_NAME_LENGTH:
        raise InvalidInput(f"{argument} must be 1 to {MAX_NAME_LENGTH} characters, got {len(value)}")
    return value


@strawberry.enum(description="How a quality run ended")
class QualityStatus(Enum):
    PASSED = "passed"
    WARNED = "warned"
    FAILED = "failed"


@strawberry.enum(description="What a failing rule stops: a row (held back) or the whole batch")
class RuleLevel(Enum):
    ROW = "row"
    BATCH = "batch"


@strawberry.type(description="数据质量检查: one run of every suite in expectations/ against the warehouse.")
class QualityRun(Node):
    run_id: str = strawberry.field(description="The Dagster run id when a pipeline ran the suites")
    trigger: str = strawberry.field(description="pipeline, cli or test")
    status: QualityStatus = strawberry.field(
        description="PASSED: nothing failed; WARNED: rows were held back; FAILED: a table is broken"
    )
    started_at: dt.datetime
    finished_at: dt.datetime
    suites: int
    expectations: int
    expectations_failed: int
    pass_rate: float = strawberry.field(description="Share of expectations that held, 0 to 1")
    rows_checked: int
    rows_failed: int = strawberry.field(description="Rows held back by row-level rules")
    gx_version: str = strawberry.field(description="The Great Expectations version that ran the suites")
    changed_since: dt.datetime | None = strawberry.field(
        description="Row-local rules checked only the rows loaded since this moment and kept the earlier "
        "verdicts of the rest; null: every rule checked whole tables"
    )

    @classmethod
    def from_row(cls, row: quality.QualityRunRow) -> QualityRun:
        started_at, finished_at = local_time(row.started_at), local_time(row.finished_at)
        assert started_at is not None and finished_at is not None
        return cls(
            row_id=row.id,
            run_id=row.run_id,
            trigger=row.trigger,
            status=QualityStatus(row.status),
            started_at=started_at,
            finished_at=finished_at,
            suites=row.suites,
            expectations=row.expectations,
            expectations_failed=row.expectations_failed,
            pass_rate=row.pass_rate,
            rows_checked=row.rows_checked,
            rows_failed=row.rows_failed,
            gx_version=row.gx_version,
            changed_since=local_time(row.changed_since),
        )


@strawberry.type(description="One rule (expectation) of a suite in one run: whether it held, and the counts.")
class QualityResult:
    rule: str
    expectation_type: str
    column: str | None
    level: RuleLevel
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: str | None
    reason: str = strawberry.field(description="What the rule guards, in words")
    exception: str | None = strawberry.field(description="Why the rule could not run at all")

    @classmethod
    def from_row(cls, row: quality.QualityResultRow) -> QualityResult:
        return cls(
            rule=row.rule,
            expectation_type=row.expectation_type,
            column=row.column_name,
            level=RuleLevel(row.level),
            success=row.success,
            element_count=row.element_count,
            unexpected_count=row.unexpected_count,
            unexpected_percent=row.unexpected_percent,
            observed_value=row.observed_value,
            reason=row.reason,
            exception=row.exception,
        )


@strawberry.type(description="One suite (one table) in one run, with each of its rules' results.")
class QualitySuiteResult:
    suite: str
    version: int
    layer: str = strawberry.field(description="core or staging")
    table: str
    success: bool = strawberry.field(description="Every rule of the suite held")
    results: list[QualityResult] = strawberry.field(description="One per rule, in the suite's order")

    @classmethod
    def group(cls, rows: Sequence[quality.QualityResultRow]) -> list[QualitySuiteResult]:
        """The results of a run, grouped by suite in the order the suites ran."""
        by_suite: dict[str, list[quality.QualityResultRow]] = {}
        for row in rows:
            by_suite.setdefault(row.suite, []).append(row)
        return [
            cls(
                suite=suite,
                version=results[0].suite_version,
                layer=results[0].layer,
                table=results[0].table_name,
                success=all(r.success for r in results),
                results=[QualityResult.from_row(r) for r in results],
            )
            for suite, results in by_suite.items()
        ]


@strawberry.type(
    description="One source stream in one run: every landed record is published or quarantined, none lost."
)
class StreamReconciliation:
    source_system: Department
    source_system_label: str | None
    stream: str
    landed: int = strawberry.field(description="Distinct source records landed")
    published: int = strawberry.field(description="Of which a warehouse row carries the provenance")
    quarantined: int = strawberry.field(description="Of which quarantine holds one")
    unaccounted: int = strawberry.field(description="Neither published nor quarantined: must be 0")
    flagged: int = strawberry.field(description="Published rows a rule held back in this run")
    reconciles: bool

    @classmethod
    def from_row(cls, row: quality.ReconciliationRow) -> StreamReconciliation:
        return cls(
            source_system=Department(row.source_system),
            source_system_label=label("departments", row.source_system),
            stream=row.stream,
            landed=row.landed,
            published=row.published,
            quarantined=row.quarantined,
            unaccounted=row.unaccounted,
            flagged=row.flagged,
            reconciles=row.reconciles,
        )


@strawberry.type(description="A warehouse row a rule held back for review, personal data masked.")
class HeldRow:
    table: str
    row_id: str = strawberry.field(description="The row's id in its table")
    rule: str
    reason: str
    source_system: Department | None
    source_record_id: str | None = strawberry.field(description="The record it came from, ID numbers masked")
    values: JSON = strawberry.field(description="The row as it stood, names, ID and phone numbers masked")

    @classmethod
    def from_row(cls, row: quality.HeldRow) -> HeldRow:
        return cls(
            table=row.table_name,
            row_id=row.row_id,
            rule=row.rule,
            reason=row.reason,
            source_system=Department(row.source_system) if row.source_system else None,
            source_record_id=row.source_record_id,
            values=JSON(row.values),
        )


@strawberry.type(description="One quality run in full: its summary, results, reconciliation and held rows.")
class QualityRunDetail:
    run: QualityRun
    suites: list[QualitySuiteResult] = strawberry.field(description="Results per suite (table) and rule")
    reconciliation: list[StreamReconciliation] = strawberry.field(description="Per source stream")
    dq_run_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: quality.QualityRunDetail) -> QualityRunDetail:
        return cls(
            run=QualityRun.from_row(row.run),
            suites=QualitySuiteResult.group(row.results),
            reconciliation=[StreamReconciliation.from_row(r) for r in row.reconciliation],
            dq_run_id=row.run.id,
        )

    @strawberry.field(description="Rows this run's rules held back, masked, optionally of one rule or table")
    async def held_rows(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        rule: str | None = None,
        table: str | None = None,
    ) -> Connection[HeldRow]:
        page = await run_service(
            info,
            quality.page_held_rows,
            viewer=info.context.viewer,
            dq_run_id=self.dq_run_id,
            rule=_exact_name(rule, argument="rule"),
            table_name=_exact_name(table, argument="table"),
            after=from_cursor(after),
            first=first,
        )
        return Connection[HeldRow].from_page(page, HeldRow.from_row, lambda r: r.id)


@strawberry.type(description="隔离: a source record the pipelines could not take, with the rule it broke.")
class QuarantinedRecord:
    source_system: Department
    stream: str
    source_record_id: str = strawberry.field(description="The department's record id, ID numbers masked")
    rule: str
    reason: str
    run_id: str = strawberry.field(description="The pipeline (Dagster) run that quarantined it")
    quarantined_at: dt.datetime
    payload: JSON | None = strawberry.field(
        description="The record as the department sent it, names, ID and phone numbers masked"
    )

    @classmethod
    def from_row(cls, row: quality.QuarantinedRow) -> QuarantinedRecord:
        quarantined_at = local_time(row.quarantined_at)
        assert quarantined_at is not None
        return cls(
            source_system=Department(row.source_system),
            stream=row.stream,
            source_record_id=row.source_record_id,
            rule=row.rule,
            reason=row.reason,
            run_id=row.run_id,
            quarantined_at=quarantined_at,
            payload=row.payload,
        )


@strawberry.input(description="Which quarantined records to list; every given condition must hold.")
class QuarantineFilterInput:
    source_system: Department | None = None
    stream: str | None = strawberry.field(default=None, description="A stream of that system (households …)")
    rule: str | None = strawberry.field(
        default=None, description="Exactly this rule (members.sex.unknown_code …)"
    )

    def to_filter(self) -> quality.QuarantineFilter:
        return quality.QuarantineFilter(
            source_system=self.source_system.value if self.source_system else None,
            stream=_exact_name(self.stream, argument="filter.stream"),
            rule=_exact_name(self.rule, argument="filter.rule"),
        )
