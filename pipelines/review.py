"""Acting on a reviewer's decision about resolution: undoing a merge, end to end.

The warehouse gives the absorbed person back what can be told apart by provenance
(`hub.warehouse.persons.merges.undo_merge`); the records that mention both persons are then
published again from their latest landed payload, exactly as a load would, so that each person
gets back its own membership, party role or headship.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import orjson
from sqlalchemy import Engine, func, select, tuple_

from hub.db.engine import transaction
from hub.db.upsert import batched
from hub.warehouse.ingestion.models import RawRecord
from hub.warehouse.persons.merges import RecordRef, UndoneMerge
from hub.warehouse.persons.merges import undo_merge as undo_in_warehouse
from hub.warehouse.provenance import LoadRun
from pipelines.ingest import IngestReport, ingest
from pipelines.streams import STREAMS


def undo_merge(*, engine: Engine, match_id: int, run: LoadRun) -> tuple[UndoneMerge, list[IngestReport]]:
    """Undo merge `match_id` and republish the records both persons appear in."""
    with transaction(engine) as session:
        undone = undo_in_warehouse(session=session, match_id=match_id, run=run)
    return undone, republish(engine=engine, run=run, records=undone.republish)


def republish(*, engine: Engine, run: LoadRun, records: Sequence[RecordRef]) -> list[IngestReport]:
    """Map and publish again the latest landed version of each record, stream by stream."""
    payloads: dict[tuple[str, str], list[object]] = defaultdict(list)
    with transaction(engine) as session:
        for chunk in batched(records):
            latest = (
                select(func.max(RawRecord.id))
                .where(tuple_(RawRecord.source_system, RawRecord.source_record_id).in_(chunk))
                .group_by(RawRecord.source_system, RawRecord.stream, RawRecord.source_record_id)
            )
            rows = session.execute(
                select(RawRecord.source_system, RawRecord.stream, RawRecord.payload).where(
                    RawRecord.id.in_(latest)
                )
            )
            for system, stream, payload in rows:
                payloads[(system, stream)].append(orjson.loads(payload))
    return [
        ingest(engine=engine, run=run, stream=STREAMS[key], payloads=items, full_reload=True)
        for key, items in sorted(payloads.items())
    ]
