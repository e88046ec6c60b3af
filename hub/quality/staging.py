"""The staging gate: the staging suites check what waits to be published, and what they find at
fault leaves for quarantine instead of the core tables.

A row-level rule failing holds back the whole record its row belongs to (a member row holds back
its household): the record is quarantined with the rule and reason, with the payload it was mapped
from, and removed from staging. A structurally broken table (a batch rule failed, too many rows
failed) holds back nothing: all of its records stay pending, and the blocking check on the gate
stops publishing until someone looks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine

from hub.db.engine import transaction
from hub.db.maintenance import refresh_statistics
from hub.quality.results import QualityRunOutcome, run_quality
from hub.quality.suites import RuleSpec
from hub.sources.canonical import Department, SourceRef
from hub.warehouse.ingestion.service import QuarantineEntry, quarantine
from hub.warehouse.provenance import LoadRun, Rejection
from hub.warehouse.staging.service import discard, sources_of
from hub.warehouse.staging.tables import Layout, record_layout_of_table, staging_tables


@dataclass(frozen=True, slots=True)
class StagingGate:
    """What the staging suites found and did in one run."""

    quality: QualityRunOutcome
    held_back: dict[str, int]  # records quarantined, by stream (`<system>.<stream>`)
    broken_tables: tuple[str, ...]  # whose records all wait: their check fails and blocks


def check_staged(*, engine: Engine, run_id: str, trigger: str = "pipeline") -> StagingGate:
    """Run the staging suites, record them under `run_id`, and quarantine the records they fail."""
    # The reads just filled these tables: without fresh statistics the planner takes them for empty.
    refresh_statistics(engine, tables=[table.name for table in staging_tables()])
    outcome = run_quality(engine=engine, run_id=run_id, trigger=trigger, layer="staging")
    faults: dict[Layout, dict[int, list[RuleSpec]]] = defaultdict(lambda: defaultdict(list))
    for suite in outcome.suites:
        if suite.structurally_broken:
            continue
        layout = record_layout_of_table(suite.suite.table)
        for rule in suite.outcomes:
            if rule.rule.level == "row":
                for staging_id in rule.failing_row_ids:
                    faults[layout][int(staging_id)].append(rule.rule)
    held: dict[str, int] = defaultdict(int)
    run = LoadRun(run_id)
    with transaction(engine) as session:
        for layout, rules_by_id in faults.items():
            ids = sorted(rules_by_id)
            entries: list[QuarantineEntry] = []
            for source in sources_of(session=session, layout=layout, staging_ids=ids):
                held[f"{source.source_system}.{source.stream}"] += 1
                ref = SourceRef(Department(source.source_system), source.source_record_id)
                entries.extend(
                    QuarantineEntry(
                        rejection=Rejection(source=ref, rule=rule.rule, reason=rule.reason),
                        stream=source.stream,
                        payload=source.payload,
                    )
                    for rule in rules_by_id[source.staging_id]
                )
            quarantine(session=session, entries=entries, run=run)
            discard(session=session, layout=layout, staging_ids=ids)
    broken = tuple(s.suite.table for s in outcome.suites if s.structurally_broken)
    return StagingGate(quality=outcome, held_back=dict(held), broken_tables=broken)
