"""Staging: mapped records wait here, typed, between landing and publishing.

A stream stages each new version it maps (`stage_records`); the staging suites check what is
pending, and the records they find at fault leave for quarantine with their payload (`sources_of`,
`discard`); the publish stage reads the rest in the order they were staged (`pending`) and removes
them in the transaction that publishes them (`discard`). So staging holds exactly the work not yet
published, and a run killed between the stages resumes by publishing what is still here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Result, Table, delete, func, select
from sqlalchemy.orm import Session

from hub.db.upsert import batched, insert_rows, key_in
from hub.warehouse.ingestion.models import RawRecord
from hub.warehouse.provenance import LoadRun
from hub.warehouse.staging.codec import build_record, child_rows, record_row
from hub.warehouse.staging.tables import PARENT_KEY, POSITION, Layout


@dataclass(frozen=True, slots=True)
class StagedRecord:
    """A pending record: its staging row id, the source version it was mapped from, the record."""

    staging_id: int
    source_system: str
    source_record_id: str
    payload_hash: str
    run_id: str
    record: Any


def stage_records(
    *,
    session: Session,
    layout: Layout,
    stream: str,
    items: Sequence[tuple[str, Any]],
    run: LoadRun,
    replace_pending: bool = True,
) -> int:
    """Stage `(payload hash, record)` pairs of one stream; returns how many pending rows they replaced.

    A record still pending from an earlier version (a run that never published), or given twice, is
    replaced by its last version: the publish stage loads whole records, so only that one matters.
    `replace_pending=False` skips looking for earlier versions, for a caller that knows none can be
    pending (see `pipelines.ingest.stage`): on a growing table that lookup is most of the cost.
    """
    latest = {(r.source.department.value, r.source.record_id): (h, r) for h, r in items}
    replaced = len(items) - len(latest)  # a record twice in one batch: its last version stands
    items = list(latest.values())
    if not items:
        return replaced
    table = layout.table
    if replace_pending:
        replaced += _replace_pending(session, layout, stream, [record for _, record in items])
    rows = [
        {
            **record_row(layout, record),
            "stream": stream,
            "payload_hash": payload_hash,
            "run_id": run.run_id,
            "staged_at": run.at,
        }
        for payload_hash, record in items
    ]
    if not layout.children:
        insert_rows(session, table, rows)
        return replaced
    # A batch holds each record once, so its source names the staging row each new id belongs to.
    staged = insert_rows(
        session, table, rows, returning=(table.c.source_system, table.c.source_record_id, table.c.id)
    )
    ids = {(system, record_id): staging_id for system, record_id, staging_id in staged}
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, record in items:
        staging_id = ids[(record.source.department.value, record.source.record_id)]
        for name, child in child_rows(layout, record, staging_id).items():
            children[name].extend(child)
    for child_layout in layout.children.values():
        insert_rows(session, child_layout.table, children[child_layout.table.name])
    return replaced


def _replace_pending(session: Session, layout: Layout, stream: str, records: Sequence[Any]) -> int:
    """Remove the pending versions of `records` (with their children); returns how many there were."""
    table = layout.table
    by_system: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_system[record.source.department.value].append(record.source.record_id)
    removed: list[int] = []
    for system, record_ids in by_system.items():
        for chunk in batched(record_ids):
            # One system and stream, ids in a list: the index prefix is used (a row-value IN is not).
            outdated = (
                delete(table)
                .where(*_of_stream(table, system, stream), key_in(session, table.c.source_record_id, chunk))
                .returning(table.c.id)
            )
            removed.extend(session.scalars(outdated))
    _discard_children(session, layout, removed)
    return len(removed)


def pending(
    *, session: Session, layout: Layout, source_system: str, stream: str, after: int = 0, limit: int
) -> list[StagedRecord]:
    """Up to `limit` pending records of a stream staged after row `after`, oldest first."""
    table = layout.table
    statement = (
        select(table)
        .where(*_of_stream(table, source_system, stream), table.c.id > after)
        .order_by(table.c.id)
        .limit(limit)
    )
    rows = _dicts(session.execute(statement))
    ids = [row["id"] for row in rows]
    members: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for field, child in layout.children.items():
        for child_row in _child_rows(session, child.table, ids):
            members[child_row[PARENT_KEY]][field].append(build_record(child, child_row, {}))
    return [
        StagedRecord(
            staging_id=row["id"],
            source_system=row["source_system"],
            source_record_id=row["source_record_id"],
            payload_hash=row["payload_hash"],
            run_id=row["run_id"],
            record=build_record(layout, row, members[row["id"]]),
        )
        for row in rows
    ]


def _child_rows(session: Session, table: Table, ids: Sequence[int]) -> list[dict[str, Any]]:
    statement = (
        select(table)
        .where(key_in(session, table.c[PARENT_KEY], ids))
        .order_by(table.c[PARENT_KEY], table.c[POSITION])
    )
    return _dicts(session.execute(statement))


def _dicts(result: Result[Any]) -> list[dict[str, Any]]:
    # Zipping plain tuples with the keys once is several times cheaper than a RowMapping per row.
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def discard(*, session: Session, layout: Layout, staging_ids: Sequence[int]) -> None:
    """Remove staged rows (with their children) once published or quarantined."""
    _discard_children(session, layout, staging_ids)
    for chunk in batched(staging_ids):
        session.execute(delete(layout.table).where(key_in(session, layout.table.c.id, chunk)))


def _discard_children(session: Session, layout: Layout, staging_ids: Sequence[int]) -> None:
    for child in layout.children.values():
        for chunk in batched(staging_ids):
            session.execute(delete(child.table).where(key_in(session, child.table.c[PARENT_KEY], chunk)))


def has_pending(*, session: Session, layout: Layout, source_system: str, stream: str) -> bool:
    """Whether any record of a stream waits in staging."""
    statement = select(layout.table.c.id).where(*_of_stream(layout.table, source_system, stream))
    return session.scalar(statement.limit(1)) is not None


def count_pending(*, session: Session, layout: Layout, source_system: str, stream: str) -> int:
    """How many records of a stream wait in staging."""
    statement = (
        select(func.count()).select_from(layout.table).where(*_of_stream(layout.table, source_system, stream))
    )
    return session.scalar(statement) or 0


def _of_stream(table: Table, source_system: str, stream: str) -> tuple[ColumnElement[bool], ...]:
    return (table.c.source_system == source_system, table.c.stream == stream)


@dataclass(frozen=True, slots=True)
class StagedSource:
    """Where a staged record came from, with the landed payload it was mapped from (for quarantine)."""

    staging_id: int
    source_system: str
    stream: str
    source_record_id: str
    payload: str | None


def sources_of(*, session: Session, layout: Layout, staging_ids: Sequence[int]) -> list[StagedSource]:
    """Where the staged records `staging_ids` came from, each with its landed payload."""
    table = layout.table
    found: list[StagedSource] = []
    for chunk in batched(staging_ids):
        statement = (
            select(table.c.id, table.c.source_system, table.c.stream, table.c.source_record_id)
            .add_columns(RawRecord.payload)
            .outerjoin(
                RawRecord,
                (RawRecord.source_system == table.c.source_system)
                & (RawRecord.stream == table.c.stream)
                & (RawRecord.source_record_id == table.c.source_record_id)
                & (RawRecord.payload_hash == table.c.payload_hash),
            )
            .where(key_in(session, table.c.id, chunk))
        )
        found.extend(StagedSource(*row) for row in session.execute(statement))
    return found
