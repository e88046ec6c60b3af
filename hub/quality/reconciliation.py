"""Source vs warehouse: per stream, every landed record is published or quarantined, none lost.

A record is *landed* when `raw_records` holds a version of it, *published* when a core row carries
its provenance (`source_system`, `source_record_id`), *quarantined* when `quarantined_records`
holds it. Counts are of distinct source record ids, so a record served twice counts once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from hub.warehouse.cases.models import Case
from hub.warehouse.divisions.models import Division
from hub.warehouse.grids.models import Grid, GridAddress, GridWorker
from hub.warehouse.households.models import Household, HouseholdRating, MoralPointEntry
from hub.warehouse.ingestion.models import QuarantinedRecord, RawRecord
from hub.warehouse.tags.models import PersonTag

# The core tables whose rows each stand for one source record (persons, members, parties and
# events are parts of those records, not records of their own).
RECORD_TABLES = (
    Division,
    Grid,
    GridWorker,
    GridAddress,
    Household,
    Case,
    PersonTag,
    HouseholdRating,
    MoralPointEntry,
)


@dataclass(frozen=True, slots=True)
class StreamReconciliation:
    source_system: str
    stream: str
    landed: int
    published: int
    quarantined: int

    @property
    def unaccounted(self) -> int:
        return max(self.landed - self.published - self.quarantined, 0)

    @property
    def reconciles(self) -> bool:
        return self.unaccounted == 0


def reconcile_sources(*, session: Session) -> list[StreamReconciliation]:
    """Landed, published and quarantined records per source stream, in source order.

    Outer joins of distinct keys, not a correlated EXISTS per landed record: both backends hash or
    index the join, so the cost grows with the rows, not with their product.
    """
    published = union(
        *(select(t.source_system.label("s"), t.source_record_id.label("r")) for t in RECORD_TABLES)
    ).subquery()
    quarantined = (
        select(
            QuarantinedRecord.source_system.label("s"),
            QuarantinedRecord.stream.label("st"),
            QuarantinedRecord.source_record_id.label("r"),
        )
        .distinct()
        .subquery()
    )
    landed = (
        select(RawRecord.source_system, RawRecord.stream, RawRecord.source_record_id).distinct().subquery()
    )
    statement = (
        select(
            landed.c.source_system,
            landed.c.stream,
            func.count(),
            func.count(published.c.s),
            func.sum(case((published.c.s.is_(None) & quarantined.c.s.is_not(None), 1), else_=0)),
        )
        .select_from(landed)
        .outerjoin(
            published,
            (published.c.s == landed.c.source_system) & (published.c.r == landed.c.source_record_id),
        )
        .outerjoin(
            quarantined,
            (quarantined.c.s == landed.c.source_system)
            & (quarantined.c.st == landed.c.stream)
            & (quarantined.c.r == landed.c.source_record_id),
        )
        .group_by(landed.c.source_system, landed.c.stream)
        .order_by(landed.c.source_system, landed.c.stream)
    )
    return [
        StreamReconciliation(
            source_system=system, stream=stream, landed=int(n), published=int(p or 0), quarantined=int(q or 0)
        )
        for system, stream, n, p, q in session.execute(statement)
    ]
