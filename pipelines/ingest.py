"""Moving one source stream into the warehouse, batch by batch, losing nothing.

Each batch is mapped record by record; a record that cannot be mapped, or that the warehouse
refuses, goes to quarantine with its rule, reason and payload, in the same transaction as the rows
published from that batch. So at every commit: fetched = published + quarantined + duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import orjson
import structlog
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.db.engine import transaction
from hub.db.upsert import batched
from hub.errors import RecordRejected
from hub.sources.canonical import Department, SourceRef
from hub.warehouse.ingestion.service import QuarantineEntry, quarantine
from hub.warehouse.provenance import LoadResult, LoadRun, Rejection

P = TypeVar("P")
R = TypeVar("R")
log = structlog.get_logger(__name__)

BATCH_SIZE = 2000


@dataclass(frozen=True)
class Stream(Generic[P, R]):
    """One kind of record from one department, and how it is identified, mapped and loaded."""

    department: Department
    name: str
    record_id: Callable[[P], str]
    map_record: Callable[[P], R]
    load: Callable[..., LoadResult]
    # A record id may come several times in one fetch (a feed's successive versions): the last wins.
    latest_only: bool = False


@dataclass
class IngestReport:
    """Counts for one stream in one run; `reconciles` is the zero-loss check."""

    stream: str
    fetched: int = 0
    published: int = 0
    quarantined: int = 0
    superseded: int = 0
    written_by_table: dict[str, int] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.fetched == self.published + self.quarantined + self.superseded

    def add(self, other: IngestReport) -> None:
        """Fold in another report of the same stream (e.g. the next batch of a feed)."""
        self.fetched += other.fetched
        self.published += other.published
        self.quarantined += other.quarantined
        self.superseded += other.superseded
        for table, count in other.written_by_table.items():
            self.written_by_table[table] = self.written_by_table.get(table, 0) + count

    def metadata(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "published": self.published,
            "quarantined": self.quarantined,
            "superseded": self.superseded,
            "reconciles": self.reconciles,
            **{f"written.{table}": count for table, count in sorted(self.written_by_table.items())},
        }


def ingest(
    *,
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    payloads: Iterable[P],
    after_batch: Callable[[Session], None] | None = None,
) -> IngestReport:
    """Map and publish every payload, quarantining what cannot be taken; commit batch by batch.

    `after_batch` runs inside each batch's transaction (e.g. to advance the source's cursor only
    together with the rows it covers).
    """
    report = IngestReport(stream=f"{stream.department.value}.{stream.name}")
    for batch in batched(payloads, BATCH_SIZE):
        report.fetched += len(batch)
        if stream.latest_only:
            latest = {stream.record_id(p): p for p in batch}
            report.superseded += len(batch) - len(latest)
            batch = list(latest.values())
        _publish_batch(engine, run, stream, batch, report, after_batch)
    log.info("stream ingested", run_id=run.run_id, **{"stream": report.stream, **report.metadata()})
    return report


def _publish_batch(
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    batch: Sequence[P],
    report: IngestReport,
    after_batch: Callable[[Session], None] | None,
) -> None:
    records: list[R] = []
    entries: list[QuarantineEntry] = []
    payload_of: dict[str, P] = {}
    for position, payload in enumerate(batch):
        record_id = stream.record_id(payload) or f"#{run.run_id}:{report.fetched - len(batch) + position}"
        payload_of[record_id] = payload
        try:
            records.append(stream.map_record(payload))
        except RecordRejected as rejected:
            source = SourceRef(stream.department, record_id)
            rejection = Rejection(source=source, rule=rejected.rule, reason=rejected.reason)
            entries.append(QuarantineEntry(rejection=rejection, stream=stream.name, payload=_json(payload)))
    with transaction(engine) as session:
        result = stream.load(session=session, records=records, run=run)
        for rejection in result.rejected:
            refused = payload_of.get(rejection.source.record_id)
            entries.append(QuarantineEntry(rejection=rejection, stream=stream.name, payload=_json(refused)))
        quarantine(session=session, entries=entries, run=run)
        if after_batch is not None:
            after_batch(session)
    report.quarantined += len(entries)
    report.published += len(records) - len(result.rejected)
    for table, count in result.written_by_table.items():
        report.written_by_table[table] = report.written_by_table.get(table, 0) + count


def _json(payload: object) -> str | None:
    if payload is None:
        return None
    return orjson.dumps(payload, default=str).decode()
