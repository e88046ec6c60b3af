"""Checking only what changed: where a core quality run may start, and the failures it carries.

A rule with scope `changed` (`RuleSpec.scope`) judges each row by that row alone, or with the rows
it stands with (`changed_with`) or names (`references`), which count it as changed when they change
(`hub.quality.runner.changed_rows_query`). A core run may therefore check it on the rows changed
since a moment, `since`, and keep for every other row the verdict of the run it starts from (its
*baseline*): the baseline's failing rows that still exist and have not changed since are failing
still. Every other rule sees the whole table.

This is sound because of two facts:

1. every write to a core row sets its `loaded_at` to the start of the load that wrote it
   (`hub.warehouse.provenance.stamp`), which is at or after the start of the pipeline run it
   belongs to;
2. a run records as `next_since` a moment at or before the start of every pipeline run that could
   still commit after it read: its own start, or the earliest start among the runs then in
   progress, which the pipeline asks Dagster for (`pipelines.quality`).

So a row loaded before the baseline's `next_since` was committed, and has not changed, since the
baseline read it. A run without such knowledge (`hub quality run`) records no `next_since`.

A uniqueness rule is `changed` too: once the baseline found no duplicate, every duplicate involves
a row changed since, so the rows sharing a changed row's values with another row are exactly the
duplicates (`hub.quality.runner`). A suite is checked whole instead when the baseline did not run it
at the same version with each of its `changed` rules running cleanly (no exception) and its
uniqueness rules holding, and every suite is when the last whole check is
older than `full_every`: a safety net for what no rule foresaw (a row edited by hand without a new
`loaded_at`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from hub.db.upsert import batched
from hub.quality.runner import RuleOutcome, SuiteOutcome, changed_rows_query
from hub.quality.suites import UNIQUENESS_TYPES, SuiteSpec
from hub.warehouse.quality.models import DqFailure, DqResult, DqRun

FULL_CHECK_EVERY = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The run a core run starts from: its id, the moment it allows, and what it checked cleanly."""

    dq_run_id: int
    since: dt.datetime
    # table → (suite version, the rules that ran without an exception, the rules that held)
    suites: Mapping[str, tuple[int, frozenset[str], frozenset[str]]]

    def covers(self, suite: SuiteSpec) -> bool:
        """The baseline's verdicts stand in for this suite's `changed` rules on unchanged rows: it
        ran them at this version, and found no duplicate where a uniqueness rule looks."""
        version, clean, held = self.suites.get(suite.table, (None, frozenset(), frozenset()))
        changed = {r.rule for r in suite.rules if r.scope == "changed"}
        unique = {r.rule for r in suite.rules if r.scope == "changed" and r.type in UNIQUENESS_TYPES}
        return version == suite.version and bool(changed) and changed <= clean and unique <= held


def find_baseline(
    *, session: Session, now: dt.datetime, full_every: dt.timedelta = FULL_CHECK_EVERY
) -> Baseline | None:
    """The latest run that allows a later one to start from it, unless the last whole check is
    older than `full_every` (then None: check everything)."""
    allowed = DqRun.next_since.is_not(None)
    run = session.scalars(select(DqRun).where(allowed).order_by(DqRun.id.desc()).limit(1)).first()
    last_whole = session.scalar(
        select(func.max(DqRun.started_at)).where(allowed, DqRun.changed_since.is_(None))
    )
    if run is None or run.next_since is None or last_whole is None or now - last_whole > full_every:
        return None
    versions: dict[str, int] = {}
    clean: dict[str, set[str]] = defaultdict(set)
    held: dict[str, set[str]] = defaultdict(set)
    results = session.execute(
        select(
            DqResult.table_name, DqResult.suite_version, DqResult.rule, DqResult.exception, DqResult.success
        ).where(DqResult.dq_run_id == run.id, DqResult.layer == "core")
    )
    for table, version, rule, exception, success in results:
        versions[table] = version
        if exception is None:
            clean[table].add(rule)
        if success:
            held[table].add(rule)
    return Baseline(
        dq_run_id=run.id,
        since=run.next_since,
        suites={
            table: (version, frozenset(clean[table]), frozenset(held[table]))
            for table, version in versions.items()
        },
    )


def since_by_table(baseline: Baseline | None, suites: Iterable[SuiteSpec]) -> dict[str, dt.datetime]:
    """For each suite the baseline covers, the moment its `changed` rules look from."""
    if baseline is None:
        return {}
    return {suite.table: baseline.since for suite in suites if baseline.covers(suite)}


def carry_forward(
    *, session: Session, baseline: Baseline, suites: Sequence[SuiteOutcome]
) -> tuple[SuiteOutcome, ...]:
    """Each suite's outcomes with the baseline's failures of the rows not checked again added to
    its `changed` rules: a rule's counts and verdict are then the whole table's."""
    return tuple(_carried(session, baseline, suite) for suite in suites)


def _carried(session: Session, baseline: Baseline, suite: SuiteOutcome) -> SuiteOutcome:
    scoped = [o for o in suite.outcomes if o.since is not None and o.exception is None]
    if not scoped:
        return suite
    spec = suite.suite
    earlier: dict[str, set[str]] = defaultdict(set)
    failures = session.execute(
        select(DqFailure.rule, DqFailure.row_id).where(
            DqFailure.dq_run_id == baseline.dq_run_id,
            DqFailure.table_name == spec.table,
            DqFailure.rule.in_([o.rule.rule for o in scoped]),
        )
    )
    for rule, row_id in failures:
        earlier[rule].add(row_id)
    since = scoped[0].since
    assert since is not None
    unchanged = _unchanged_rows(session, spec, {row for rows in earlier.values() for row in rows}, since)
    carried = {
        o.rule.rule: _with_earlier(o, earlier[o.rule.rule] & unchanged, suite.row_count) for o in scoped
    }
    return replace(suite, outcomes=tuple(carried.get(o.rule.rule, o) for o in suite.outcomes))


def _unchanged_rows(session: Session, suite: SuiteSpec, row_ids: set[str], since: dt.datetime) -> set[str]:
    """Those of `row_ids` still in the table and not among the rows changed since `since` (loaded
    since, of a group that was, or naming a row that was: `hub.quality.runner.changed_rows_query`)."""
    if not row_ids:
        return set()
    bind = session.get_bind()
    quote = bind.dialect.identifier_preparer.quote
    row_id = quote(suite.row_id)
    changed = changed_rows_query(bind, suite, since)
    statement = text(
        f"SELECT {row_id} FROM {quote(suite.table)} WHERE {row_id} IN :ids "
        f"AND {row_id} NOT IN (SELECT changed.{row_id} FROM ({changed}) AS changed)"
    ).bindparams(bindparam("ids", expanding=True))
    found: set[str] = set()
    for chunk in batched(sorted(row_ids)):
        ids = [int(i) if i.isdigit() else i for i in chunk]
        found.update(str(row) for row in session.scalars(statement, {"ids": ids}))
    return found


def _with_earlier(outcome: RuleOutcome, earlier: set[str], table_rows: int) -> RuleOutcome:
    if outcome.rule.level == "batch":  # a uniqueness rule the baseline found holding: nothing to carry
        return replace(outcome, element_count=table_rows)
    failing = sorted(set(outcome.failing_row_ids) | earlier, key=lambda value: (len(value), value))
    return replace(
        outcome,
        success=not failing,
        element_count=table_rows,
        unexpected_count=len(failing),
        unexpected_percent=100 * len(failing) / table_rows if table_rows else 0.0,
        failing_row_ids=tuple(failing),
    )
