"""Moving one source stream into the warehouse in two stages, batch by batch, losing nothing.

`stage`: each fetched batch is landed as received (`raw_records`, one row per distinct payload
version), and only the versions not landed before are mapped into typed `stg_*` rows: an unchanged
record costs one hash. A record that cannot be mapped goes to quarantine with its rule, reason and
payload. Landing, staging, quarantine and the source's cursor commit in one transaction per batch:
fetched = unchanged + superseded + staged + quarantined.

Between the stages the staging suites check what is pending (`pipelines.quality`).

`publish`: the stream's pending records are loaded into the core tables in the order they were
staged, and leave staging in the transaction that publishes them; what the warehouse refuses goes
to quarantine: taken = published + quarantined. A run killed in either stage resumes without loss
or duplication: landed versions are not staged twice, staged ones wait until published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar, get_type_hints

import orjson
import structlog
from psycopg.errors import DeadlockDetected
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.db.engine import transaction
from hub.db.maintenance import reclaim_dead_rows, refresh_stale_statistics
from hub.errors import RecordRejected
from hub.sources.canonical import Department, SourceRef
from hub.sources.contract import check_record, contract_fields
from hub.sources.paging import read_ahead
from hub.warehouse.ingestion.models import QuarantinedRecord, RawRecord
from hub.warehouse.ingestion.service import QuarantineEntry, RawVersion, has_landed, land_raw, quarantine
from hub.warehouse.provenance import LoadResult, LoadRun, Rejection
from hub.warehouse.staging.service import (
    StagedRecord,
    discard,
    has_pending,
    pending,
    sources_of,
    stage_records,
)
from hub.warehouse.staging.tables import Layout, layout_of

P = TypeVar("P")
R = TypeVar("R")
log = structlog.get_logger(__name__)

BATCH_SIZE = 2000
# Tries of a publish batch that PostgreSQL chose as a deadlock's victim.
DEADLOCK_ATTEMPTS = 3


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
    # Its batches publish one after another: a record names another of the same stream that an
    # earlier batch publishes (a grid its parent grid). Otherwise batches publish two at a time.
    in_order: bool = False

    @property
    def contract_fields(self) -> frozenset[str]:
        return frozenset() if self.payload_type is None else contract_fields(self.payload_type)

    @property
    def key(self) -> str:
        return f"{self.department.value}.{self.name}"

    @cached_property
    def layout(self) -> Layout:
        """The staging table of the records `map_record` returns (its declared return type)."""
        return layout_of(get_type_hints(self.map_record)["return"])

    @property
    def staging_tables(self) -> frozenset[str]:
        """The tables its stage step writes: landing, quarantine and its staging tables."""
        return frozenset(
            {RawRecord.__tablename__, QuarantinedRecord.__tablename__, *(t.name for t in self.layout.tables)}
        )


@dataclass
class StageReport:
    """The stage of one stream in one run; `reconciles`: every fetched record is accounted for."""

    stream: str
    fetched: int = 0
    landed: int = 0  # versions new to raw_records (landed by this run)
    unchanged: int = 0
    staged: int = 0
    quarantined: int = 0
    superseded: int = 0
    replaced: int = 0  # pending records of an earlier run a newer version replaced
    high_water: dt.datetime | None = None  # the latest change time among the records fetched
    fields_added: Counter[str] = field(default_factory=Counter)  # not in the contract: records with it
    fields_missing: Counter[str] = field(default_factory=Counter)  # in the contract: records without it

    @property
    def reconciles(self) -> bool:
        return self.fetched == self.unchanged + self.superseded + self.staged + self.quarantined

    def add(self, other: StageReport) -> None:
        """Fold in another report of the same stream (e.g. the next batch of a feed)."""
        self.fetched += other.fetched
        self.landed += other.landed
        self.unchanged += other.unchanged
        self.staged += other.staged
        self.quarantined += other.quarantined
        self.superseded += other.superseded
        self.replaced += other.replaced
        self.fields_added.update(other.fields_added)
        self.fields_missing.update(other.fields_missing)

    def metadata(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "landed": self.landed,
            "unchanged": self.unchanged,
            "staged": self.staged,
            "quarantined": self.quarantined,
            "superseded": self.superseded,
            "replaced_pending": self.replaced,
            "reconciles": self.reconciles,
            "drift.fields_added": _tally(self.fields_added),
            "drift.fields_missing": _tally(self.fields_missing),
        }


@dataclass
class PublishReport:
    """The publish stage of one stream in one run: every record taken from staging is accounted for."""

    stream: str
    taken: int = 0
    published: int = 0
    quarantined: int = 0
    carried_over: int = 0  # taken records an earlier run staged (it stopped before publishing them)
    written_by_table: dict[str, int] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.taken == self.published + self.quarantined

    def add(self, batch: _BatchOutcome) -> None:
        """Count in one published batch."""
        self.taken += batch.taken
        self.published += batch.published
        self.quarantined += batch.quarantined
        self.carried_over += batch.carried_over
        for table, count in batch.written_by_table.items():
            self.written_by_table[table] = self.written_by_table.get(table, 0) + count

    def metadata(self) -> dict[str, Any]:
        return {
            "taken": self.taken,
            "published": self.published,
            "quarantined": self.quarantined,
            "carried_over": self.carried_over,
            "reconciles": self.reconciles,
            **{f"written.{table}": count for table, count in sorted(self.written_by_table.items())},
        }


@dataclass(frozen=True)
class IngestReport:
    """Both stages of one stream, run back to back (`ingest`)."""

    stage: StageReport
    publish: PublishReport

    @property
    def reconciles(self) -> bool:
        return self.stage.reconciles and self.publish.reconciles


def ingest(
    *,
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    payloads: Iterable[P],
    full_reload: bool = False,
) -> IngestReport:
    """Stage the payloads and publish what the stream has pending, without the staging suites.

    For work on records that passed the suites before (republishing after a merge is undone) and
    for tests of the stages themselves; the pipeline runs the suites in between.
    """
    staged = stage(engine=engine, run=run, stream=stream, payloads=payloads, full_reload=full_reload)
    return IngestReport(stage=staged, publish=publish(engine=engine, run=run, stream=stream))


def stage(
    *,
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    payloads: Iterable[P],
    after_batch: Callable[[Session], None] | None = None,
    full_reload: bool = False,
) -> StageReport:
    """Land every payload and stage the new versions, quarantining what cannot be mapped.

    `full_reload` stages every fetched version, landed before or not (after a mapping or
    reference-table change). `after_batch` runs inside each batch's transaction (e.g. to advance
    the source's cursor only together with the rows it covers).
    """
    report = StageReport(stream=stream.key)
    with transaction(engine) as session:
        pending = _Pending(
            before=has_pending(
                session=session,
                layout=stream.layout,
                source_system=stream.department.value,
                stream=stream.name,
            )
        )
        # A stream that has landed nothing yet (a first load) need not look up what it landed.
        landed_before = has_landed(session=session, source_system=stream.department.value, stream=stream.name)
    for batch in read_ahead(payloads, size=BATCH_SIZE):
        report.fetched += len(batch)
        _measure_drift(stream, batch, report)
        if stream.changed_at is not None:
            times = [t for t in map(stream.changed_at, batch) if t is not None]
            if report.high_water is not None:
                times.append(report.high_water)
            report.high_water = max(times, default=None)
        _stage_batch(engine, run, stream, batch, report, pending, after_batch, full_reload, landed_before)
        refresh_stale_statistics(engine, tables=stream.staging_tables)
    log.info("stream staged", run_id=run.run_id, **{"stream": report.stream, **report.metadata()})
    return report


def publish(
    *, engine: Engine, run: LoadRun, stream: Stream[P, R], workers: int | None = None
) -> PublishReport:
    """Load every record the stream has pending in staging into the core tables, oldest first.

    Batches are read in the order they were staged and published by `workers` threads at once, each
    batch in a transaction of its own (by default two on PostgreSQL; one on SQLite, which writes one
    transaction at a time, and for a stream whose batches must publish `in_order`). A batch spends
    about two thirds of its time waiting on the database (py-spy, the households publish at
    1,000,000 persons), so one thread alone left a core idle.
    Batches hold different records (staging keeps one pending version per record), and the upserts
    write in key order, so two batches naming the same person wait on each other, not deadlock; a
    deadlock all the same is retried.
    """
    report = PublishReport(stream=stream.key)
    threads = workers or (1 if stream.in_order or engine.dialect.name != "postgresql" else 2)
    tables = set(stream.staging_tables)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"publish-{stream.name}") as pool:
        running: deque[Future[_BatchOutcome]] = deque()
        for staged in _pending_batches(engine, stream):
            running.append(pool.submit(_publish_batch, engine, run, stream, staged))
            if len(running) >= threads:
                report.add(running.popleft().result())
                refresh_stale_statistics(engine, tables={*tables, *report.written_by_table})
        while running:
            report.add(running.popleft().result())
    refresh_stale_statistics(engine, tables={*tables, *report.written_by_table})
    reclaim_dead_rows(engine, tables=[table.name for table in stream.layout.tables])
    log.info("stream published", run_id=run.run_id, **{"stream": report.stream, **report.metadata()})
    return report


def _pending_batches(engine: Engine, stream: Stream[P, R]) -> Iterator[list[StagedRecord]]:
    """The stream's pending records in batches, in the order they were staged."""
    after = 0
    while True:
        with transaction(engine) as session:
            staged = pending(
                session=session,
                layout=stream.layout,
                source_system=stream.department.value,
                stream=stream.name,
                after=after,
                limit=BATCH_SIZE,
            )
        if not staged:
            return
        yield staged
        after = staged[-1].staging_id


def _measure_drift(stream: Stream[P, R], batch: Sequence[P], report: StageReport) -> None:
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


def _stage_batch(
    engine: Engine,
    run: LoadRun,
    stream: Stream[P, R],
    batch: Sequence[P],
    report: StageReport,
    pending: _Pending,
    after_batch: Callable[[Session], None] | None,
    full_reload: bool,
    landed_before: bool,
) -> None:
    versions = [_version(stream, payload) for payload in batch]
    with transaction(engine) as session:
        new = land_raw(
            session=session,
            source_system=stream.department.value,
            stream=stream.name,
            versions=[version for version, _ in versions],
            run=run,
            landed_before=landed_before,
        )
        fresh = [(v, p) for v, p in versions if full_reload or (v.record_id, v.payload_hash) in new]
        report.landed += len(new)
        report.unchanged += len(versions) - len(fresh)
        if stream.latest_only:
            latest = {version.record_id: (version, payload) for version, payload in fresh}
            report.superseded += len(fresh) - len(latest)
            fresh = list(latest.values())
        mapped: list[tuple[str, R]] = []
        mapped_ids: list[str] = []
        entries: list[QuarantineEntry] = []
        for version, payload in fresh:
            try:
                record = stream.map_record(payload)
                # Checked after mapping, so that a field the mapping requires is rejected by its name.
                check_record(payload, contract=stream.contract_fields)
                mapped.append((version.payload_hash, record))
                mapped_ids.append(version.record_id)
            except RecordRejected as rejected:
                entries.append(
                    _entry(stream, version.record_id, version.payload, rejected.rule, rejected.reason)
                )
        report.replaced += stage_records(
            session=session,
            layout=stream.layout,
            stream=stream.name,
            items=mapped,
            run=run,
            replace_pending=pending.may_hold(mapped_ids),
        )
        quarantine(session=session, entries=entries, run=run)
        if after_batch is not None:
            after_batch(session)
    report.quarantined += len(entries)
    report.staged += len(mapped)


@dataclass
class _BatchOutcome:
    """What publishing one batch did, to be added to the stream's `PublishReport`."""

    taken: int
    published: int
    quarantined: int
    carried_over: int
    written_by_table: Mapping[str, int]


def _publish_batch(
    engine: Engine, run: LoadRun, stream: Stream[P, R], staged: Sequence[StagedRecord]
) -> _BatchOutcome:
    """Publish one batch and take it out of staging, in one transaction (retried on a deadlock)."""
    attempt = 1
    while True:
        try:
            with transaction(engine) as session:
                return _publish_in(session, run, stream, staged)
        except DBAPIError as error:
            if not isinstance(error.orig, DeadlockDetected) or attempt == DEADLOCK_ATTEMPTS:
                raise
            log.warning("publish batch deadlocked; retrying", stream=stream.key, attempt=attempt)
            attempt += 1


def _publish_in(
    session: Session, run: LoadRun, stream: Stream[P, R], staged: Sequence[StagedRecord]
) -> _BatchOutcome:
    result = stream.load(session=session, records=[s.record for s in staged], run=run)
    rejections = {rejection.source.record_id: rejection for rejection in result.rejected}
    refused = [s.staging_id for s in staged if s.source_record_id in rejections]
    entries = [
        _entry(stream, source.source_record_id, source.payload, rejection.rule, rejection.reason)
        for source in sources_of(session=session, layout=stream.layout, staging_ids=refused)
        for rejection in [rejections[source.source_record_id]]
    ]
    quarantine(session=session, entries=entries, run=run)
    discard(session=session, layout=stream.layout, staging_ids=[s.staging_id for s in staged])
    return _BatchOutcome(
        taken=len(staged),
        published=len(staged) - len(refused),
        quarantined=len(refused),
        carried_over=sum(1 for s in staged if s.run_id != run.run_id),
        written_by_table=result.written_by_table,
    )


@dataclass
class _Pending:
    """Whether a batch's records may already wait in staging: if the stream had pending records
    when the read began, or a record comes again in the same read (a feed's later version)."""

    before: bool
    seen: set[str] = field(default_factory=set)

    def may_hold(self, record_ids: Sequence[str]) -> bool:
        again = not self.seen.isdisjoint(record_ids)
        self.seen.update(record_ids)
        return self.before or again


def _version(stream: Stream[P, R], payload: P) -> tuple[RawVersion, P]:
    """The payload as landed: canonical JSON, its hash, and its record id (the hash when it has none)."""
    text = orjson.dumps(payload, default=str, option=orjson.OPT_SORT_KEYS).decode()
    digest = hashlib.sha1(text.encode()).hexdigest()
    # Mappings strip the ids they read; so does landing, or "A" and "A " would be two records.
    record_id = stream.record_id(payload).strip() or f"#{digest[:16]}"
    return RawVersion(record_id=record_id, payload_hash=digest, payload=text), payload


def _entry(
    stream: Stream[P, R], record_id: str, payload: str | None, rule: str, reason: str
) -> QuarantineEntry:
    rejection = Rejection(source=SourceRef(stream.department, record_id), rule=rule, reason=reason)
    return QuarantineEntry(rejection=rejection, stream=stream.name, payload=payload)
