"""Moving one source stream into the warehouse, batch by batch, losing nothing.

Each batch is landed as received (`raw_records`, one row per distinct payload version), and only the
versions not landed before are mapped and published: an unchanged record costs one hash. A record
that cannot be mapped, or that the warehouse refuses, goes to quarantine with its rule, reason and
payload. Landing, publishing, quarantine and the source's cursor commit in one transaction per
batch, so a run killed mid-way resumes without loss or duplication, and at every commit:
fetched = unchanged + superseded + published + quarantined.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from hub.sources.contract import check_record, contract_fields
from hub.warehouse.ingestion.service import QuarantineEntry, RawVersion, land_raw, quarantine
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
    # When the department last changed a record: the watermark of incremental loads (None: none).
    changed_at: Callable[[P], dt.datetime | None] | None = None
    # A record id may come several times in one fetch (a feed's successive versions): the last wins.
    latest_only: bool = False
    # The payload's top-level fields as the contract promises them (a TypedDict): drift is measured
    # against it. Drifted records still go through mapping, which quarantines what it cannot read.
    payload_type: type | None = None

    @property
    def contract_fields(self) -> frozenset[str]:
        return frozenset() if self.payload_type is None else contract_fields(self.payload_type)


@dataclass
class IngestReport:
    """Counts for one stream in one run; `reconciles` is the zero-loss check."""

    stream: str
    fetched: int = 0
    unchanged: int = 0
    published: int = 0
    quarantined: int = 0
    superseded: int = 0
    written_by_table: dict[str, int] = field(default_factory=dict)
    high_water: dt.datetime | None = None  # the latest change time among the records fetched
    fields_added: Counter[str] = field(default_factory=Counter)  # not in the contract: records with it
    fields_missing: Counter[str] = field(default_factory=Counter)  # in the contract: records without it

    @property
    def reconciles(self) -> bool:
        return self.fetched == self.unchanged + self.superseded + self.published + self.quarantined

    def add(self, other: IngestReport) -> None:
        """Fold in another report of the same stream (e.g. the next batch of a feed)."""
        self.fetched += other.fetched
        self.unchanged += other.unchanged
        self.published += other.published
        self.quarantined += other.quarantined
        self.superseded += other.superseded
        for table, count in other.written_by_table.items():
            self.written_by_table[table] = self.written_by_table.get(table, 0) + count
        self.fields_added.update(other.fields_added)
        self.fields_missing.update(other.fields_missing)

    def metadata(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "unchanged": self.unchanged,
            "published": self.published,
            "quarantined": self.quarantined,
            "superseded": self.superseded,
            "reconciles": self.reconciles,
            "drift.fields_added": _tally(self.fields_added),
            "drift.fields_missing": _tally(self.fields_missing),
            **{f"written.{table}": count for table, count in sorted(self.written_by_table.items())},
        }


def ingest(
    *,
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    payloads: Iterable[P],
    after_batch: Callable[[Session], None] | None = None,
    full_reload: bool = False,
) -> IngestReport:
    """Land every payload and publish the new versions, quarantining what cannot be taken.

    `full_reload` processes every fetched version, landed before or not (after a mapping or
    reference-table change). `after_batch` runs inside each batch's transaction (e.g. to advance
    the source's cursor only together with the rows it covers).
    """
    report = IngestReport(stream=f"{stream.department.value}.{stream.name}")
    for batch in batched(payloads, BATCH_SIZE):
        report.fetched += len(batch)
        _measure_drift(stream, batch, report)
        if stream.changed_at is not None:
            times = [t for t in map(stream.changed_at, batch) if t is not None]
            if report.high_water is not None:
                times.append(report.high_water)
            report.high_water = max(times, default=None)
        _publish_batch(engine, run, stream, batch, report, after_batch, full_reload)
    log.info("stream ingested", run_id=run.run_id, **{"stream": report.stream, **report.metadata()})
    return report


def _measure_drift(stream: Stream[P, R], batch: Sequence[P], report: IngestReport) -> None:
    expected = stream.contract_fields
    if not expected:
        return
    for payload in batch:
        if isinstance(payload, Mapping):
            report.fields_added.update(set(payload) - expected)
            report.fields_missing.update(expected - set(payload))


def _tally(counts: Counter[str]) -> str:
    """`"field (records), …"`, most frequent first; `"none"` when empty (Dagster metadata is flat)."""
    return ", ".join(f"{name} ({count})" for name, count in counts.most_common()) or "none"


def _publish_batch(
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    batch: Sequence[P],
    report: IngestReport,
    after_batch: Callable[[Session], None] | None,
    full_reload: bool,
) -> None:
    versions = [_version(stream, payload) for payload in batch]
    with transaction(engine) as session:
        new = land_raw(
            session=session,
            source_system=stream.department.value,
            stream=stream.name,
            versions=[version for version, _ in versions],
            run=run,
        )
        fresh = [(v, p) for v, p in versions if full_reload or (v.record_id, v.payload_hash) in new]
        report.unchanged += len(versions) - len(fresh)
        if stream.latest_only:
            latest = {version.record_id: (version, payload) for version, payload in fresh}
            report.superseded += len(fresh) - len(latest)
            fresh = list(latest.values())
        records: list[R] = []
        entries: list[QuarantineEntry] = []
        for version, payload in fresh:
            try:
                record = stream.map_record(payload)
                # Checked after mapping, so that a field the mapping requires is rejected by its name.
                check_record(payload, contract=stream.contract_fields)
                records.append(record)
            except RecordRejected as rejected:
                entries.append(_entry(stream, version, rejected.rule, rejected.reason))
        result = stream.load(session=session, records=records, run=run)
        versions_by_id = {version.record_id: version for version, _ in fresh}
        for rejection in result.rejected:
            entries.append(
                _entry(stream, versions_by_id[rejection.source.record_id], rejection.rule, rejection.reason)
            )
        quarantine(session=session, entries=entries, run=run)
        if after_batch is not None:
            after_batch(session)
    report.quarantined += len(entries)
    report.published += len(records) - len(result.rejected)
    for table, count in result.written_by_table.items():
        report.written_by_table[table] = report.written_by_table.get(table, 0) + count


def _version(stream: Stream[P, R], payload: P) -> tuple[RawVersion, P]:
    """The payload as landed: canonical JSON, its hash, and its record id (the hash when it has none)."""
    text = orjson.dumps(payload, default=str, option=orjson.OPT_SORT_KEYS).decode()
    digest = hashlib.sha1(text.encode()).hexdigest()
    record_id = stream.record_id(payload) or f"#{digest[:16]}"
    return RawVersion(record_id=record_id, payload_hash=digest, payload=text), payload


def _entry(stream: Stream[P, R], version: RawVersion, rule: str, reason: str) -> QuarantineEntry:
    source = SourceRef(stream.department, version.record_id)
    rejection = Rejection(source=source, rule=rule, reason=reason)
    return QuarantineEntry(rejection=rejection, stream=stream.name, payload=version.payload)
