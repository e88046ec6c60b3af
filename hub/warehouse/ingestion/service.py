"""Quarantine and cursors: what a pipeline records about its sources besides the core rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.upsert import batched, insert_missing, key_in, row_hash, upsert
from hub.warehouse.ingestion.models import QuarantinedRecord, RawRecord, SourceCursor
from hub.warehouse.provenance import LoadRun, Rejection


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A rejected record on its way to quarantine: why, and the payload exactly as it came."""

    rejection: Rejection
    stream: str
    payload: str | None


def quarantine(*, session: Session, entries: Sequence[QuarantineEntry], run: LoadRun) -> int:
    """Keep rejected records with their rule and reason; the same rejection twice is kept once."""
    rows = []
    for entry in entries:
        rejection = entry.rejection
        content = {
            "source_system": rejection.source.department.value,
            "stream": entry.stream,
            "source_record_id": rejection.source.record_id,
            "rule": rejection.rule,
            "reason": rejection.reason,
            "payload": entry.payload,
        }
        rows.append(
            {
                **content,
                "run_id": run.run_id,
                "quarantined_at": run.at,
                "first_quarantined_at": run.at,
                "row_hash": row_hash(content),
            }
        )
    return upsert(
        session, QuarantinedRecord, rows, key=("source_system", "stream", "source_record_id", "rule")
    )


def get_cursor(*, session: Session, source_system: str, stream: str) -> str | None:
    """Where the last committed load of a stream stopped, or None before the first."""
    statement = select(SourceCursor.cursor).where(
        SourceCursor.source_system == source_system, SourceCursor.stream == stream
    )
    return session.scalar(statement)


def has_loaded(*, session: Session) -> bool:
    """Whether any stream has committed a load: False before the first."""
    return session.scalar(select(SourceCursor.id).limit(1)) is not None


def advance_cursor(*, session: Session, source_system: str, stream: str, cursor: str, run: LoadRun) -> None:
    """Record how far a stream is loaded; call it in the transaction that commits those rows."""
    existing = session.scalars(
        select(SourceCursor).where(SourceCursor.source_system == source_system, SourceCursor.stream == stream)
    ).one_or_none()
    if existing is None:
        session.add(
            SourceCursor(
                source_system=source_system,
                stream=stream,
                cursor=cursor,
                run_id=run.run_id,
                updated_at=run.at,
            )
        )
    elif existing.cursor != cursor:
        existing.cursor, existing.run_id, existing.updated_at = cursor, run.run_id, dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class RawVersion:
    """One record as fetched: its id, the hash of its payload, and the payload as JSON."""

    record_id: str
    payload_hash: str
    payload: str


def land_raw(
    *,
    session: Session,
    source_system: str,
    stream: str,
    versions: Sequence[RawVersion],
    run: LoadRun,
    landed_before: bool = True,
) -> set[tuple[str, str]]:
    """Land every version not seen before; returns the (record id, hash) pairs that were new.

    The versions already landed are looked up by record id first, so that a source that serves
    whole tables (a registry read without a watermark) sends only its changes' payloads to the database.
    `landed_before=False` (the stream had landed nothing when its read began: a first load) skips
    that look-up, which would find nothing but cost a read of the landing's pages per record: at
    1,000,000 persons it was the database's main work while the first load staged. The insert
    itself still skips what is there, so the answer is the same either way.
    """
    record_ids = [v.record_id for v in versions] if landed_before else []
    landed = _landed(session, source_system, stream, record_ids)
    rows = [
        {
            "source_system": source_system,
            "stream": stream,
            "source_record_id": v.record_id,
            "payload_hash": v.payload_hash,
            "payload": v.payload,
            "run_id": run.run_id,
            "fetched_at": run.at,
        }
        for v in versions
        if (v.record_id, v.payload_hash) not in landed
    ]
    key = ("source_system", "stream", "source_record_id", "payload_hash")
    return {
        (record_id, payload_hash)
        for _, _, record_id, payload_hash in insert_missing(session, RawRecord, rows, key=key)
    }


def has_landed(*, session: Session, source_system: str, stream: str) -> bool:
    """Whether any version of a stream was landed."""
    statement = select(RawRecord.id).where(
        RawRecord.source_system == source_system, RawRecord.stream == stream
    )
    return session.scalar(statement.limit(1)) is not None


def _landed(
    session: Session, source_system: str, stream: str, record_ids: Sequence[str]
) -> set[tuple[str, str]]:
    """The (record id, hash) of every version of these records landed before."""
    found: set[tuple[str, str]] = set()
    for chunk in batched(sorted(set(record_ids))):
        statement = select(RawRecord.source_record_id, RawRecord.payload_hash).where(
            RawRecord.source_system == source_system,
            RawRecord.stream == stream,
            key_in(session, RawRecord.source_record_id, chunk),
        )
        found.update((record_id, payload_hash) for record_id, payload_hash in session.execute(statement))
    return found
