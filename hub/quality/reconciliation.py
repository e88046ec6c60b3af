"""Source vs warehouse: per stream, every landed record is published or quarantined, none lost.

A record is *landed* when `raw_records` holds a version of it, *published* when a core row carries
its provenance (`source_system`, `source_record_id`), *quarantined* when `quarantined_records`
holds it. Counts are of distinct source record ids, so a record served twice counts once.

Nothing is ever removed from landing, quarantine or the record tables, so a record's standing only
moves forward, and each step leaves a first moment that no later write changes: a raw version's
`fetched_at`, a core row's `first_loaded_at`, a quarantined record's `first_quarantined_at`. The
counts at a moment can therefore be told apart from the counts now by looking only at the records
with anything written since that moment: a run records the counts as they stood at its
`next_since`, and the next run starts from those and recounts just the records written since
(`hub.quality.scope` says why nothing written before `next_since` can still appear).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select, union, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.db.upsert import batched, key_in
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

StreamKey = tuple[str, str]  # (source system, stream)
# Past this many rows written since the previous run (a first load, a new source), counting every
# record in one pass is cheaper than looking each written one up.
RECOUNT_AT_MOST = 200_000


@dataclass(frozen=True, slots=True)
class Counts:
    """Records of a stream landed, published, and quarantined without being published."""

    landed: int = 0
    published: int = 0
    quarantined: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.landed + other.landed, self.published + other.published, self.quarantined + other.quarantined
        )

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.landed - other.landed, self.published - other.published, self.quarantined - other.quarantined
        )

    @staticmethod
    def of(landed: bool, published: bool, quarantined: bool) -> Counts:
        """One record's part in the counts, from whether it is landed, published, quarantined."""
        return Counts(int(landed), int(landed and published), int(landed and not published and quarantined))


@dataclass(frozen=True, slots=True)
class StreamReconciliation:
    source_system: str
    stream: str
    landed: int
    published: int
    quarantined: int
    # The same counts over the records as they stood at the run's `next_since` (None without one).
    by_next_since: Counts | None = None

    @property
    def unaccounted(self) -> int:
        return max(self.landed - self.published - self.quarantined, 0)

    @property
    def reconciles(self) -> bool:
        return self.unaccounted == 0


def reconcile_sources(
    *,
    session: Session,
    settled: Mapping[StreamKey, Counts] | None = None,
    since: dt.datetime | None = None,
    next_since: dt.datetime | None = None,
) -> list[StreamReconciliation]:
    """Landed, published and quarantined records per source stream, in source order.

    Given `settled`, a previous run's counts over the records as they stood at `since` (its
    `next_since`), only the records with anything written since are counted again; otherwise every
    record is. With `next_since`, the counts as they stood at that moment come too, for a later run.
    """
    if settled is not None and since is not None and _writes_since(session, since) <= RECOUNT_AT_MOST:
        moments = [since] if next_since is None else [since, next_since]
        changes = changes_since(session=session, moments=moments, streams=settled.keys())
        now = {
            key: settled.get(key, Counts()) + changes[0].get(key, Counts()) for key in {*settled, *changes[0]}
        }
        then = None
        if next_since is not None:
            then = {key: counts - changes[1].get(key, Counts()) for key, counts in now.items()}
    else:
        now, then = _count_all(session, as_of=next_since)
    now = {key: counts for key, counts in now.items() if counts.landed}
    return [
        StreamReconciliation(
            source_system=system,
            stream=stream,
            landed=counts.landed,
            published=counts.published,
            quarantined=counts.quarantined,
            by_next_since=None if then is None else then.get((system, stream), Counts()),
        )
        for (system, stream), counts in sorted(now.items())
    ]


def changes_since(
    *, session: Session, moments: Sequence[dt.datetime], streams: Collection[StreamKey]
) -> list[dict[StreamKey, Counts]]:
    """For each of `moments`, per stream, the counts now less the counts as they stood then, from
    the records landed, published or quarantined since (every other record stands as it stood).

    The records are looked up once, from the earliest moment: one written only before a later
    moment stood then as it stands now, and counts for nothing there. `streams` names the streams
    that held records at the earliest moment: a record published since is found in those, and in
    the streams that landed or quarantined records since. Whether a record is published is looked
    up only where it can have changed: a record with a core row from before a moment was published
    then and is now.
    """
    touched, loaded = _touched(session, min(moments), streams)
    changes: list[dict[StreamKey, Counts]] = [{} for _ in moments]
    for (system, stream), record_ids in sorted(touched.items()):
        for chunk in batched(sorted(record_ids)):
            firsts = {
                record_id: _Firsts(landed, loaded.get((system, record_id)), held)
                for record_id, landed, held in _first_moments_of(session, system, stream, chunk)
            }
            unsure = [r for r, first in firsts.items() if any(first.publication_unsure(m) for m in moments)]
            published = _first_published(session, system, unsure) if unsure else {}
            for position, moment in enumerate(moments):
                change = sum(
                    (first.change(moment, published.get(r)) for r, first in firsts.items()), Counts()
                )
                key = (system, stream)
                changes[position][key] = changes[position].get(key, Counts()) + change
    return changes


@dataclass(frozen=True, slots=True)
class _Firsts:
    """When a record was first landed, first had a core row written since the earliest moment
    looked at, and first quarantined (None: never)."""

    landed: dt.datetime | None
    loaded: dt.datetime | None
    held: dt.datetime | None

    def publication_unsure(self, moment: dt.datetime) -> bool:
        """Whether its being published may differ between `moment` and now, so must be looked up:
        no core row from before `moment` settles it, and a core row, a landing or a rejection is
        new since."""
        return not _before(self.loaded, moment) and (
            self.loaded is not None or _since(self.landed, moment) or _since(self.held, moment)
        )

    def change(self, moment: dt.datetime, first_published: dt.datetime | None) -> Counts:
        """Its part in the counts now less its part at `moment` (`first_published` as looked up)."""
        if _before(self.loaded, moment):
            published_then = published_now = True
        elif self.publication_unsure(moment):
            published_then, published_now = _before(first_published, moment), first_published is not None
        else:
            return Counts()  # neither landed, published nor quarantined since `moment`
        now = Counts.of(self.landed is not None, published_now, self.held is not None)
        then = Counts.of(_before(self.landed, moment), published_then, _before(self.held, moment))
        return now - then


def _before(first: dt.datetime | None, moment: dt.datetime) -> bool:
    return first is not None and first < moment


def _since(first: dt.datetime | None, moment: dt.datetime) -> bool:
    return first is not None and first >= moment


def _writes_since(session: Session, moment: dt.datetime) -> int:
    """Rows of landing, quarantine and the record tables written at or after `moment` (on their
    indexes on when they were written)."""
    counts = [
        select(func.count()).where(RawRecord.fetched_at >= moment),
        select(func.count()).where(QuarantinedRecord.quarantined_at >= moment),
        *(select(func.count()).where(t.loaded_at >= moment) for t in RECORD_TABLES),
    ]
    return sum(session.scalar(count) or 0 for count in counts)


def _touched(
    session: Session, moment: dt.datetime, streams: Collection[StreamKey]
) -> tuple[dict[StreamKey, set[str]], dict[tuple[str, str], dt.datetime]]:
    """The records of each stream with a version landed, a core row written or a rejection kept
    at or after `moment` (each found on its table's index on when it was written); and for each
    (source system, record id) with core rows written since, the earliest `first_loaded_at` of
    those rows."""
    touched: dict[StreamKey, set[str]] = defaultdict(set)
    written = union(
        select(RawRecord.source_system, RawRecord.stream, RawRecord.source_record_id).where(
            RawRecord.fetched_at >= moment
        ),
        select(
            QuarantinedRecord.source_system, QuarantinedRecord.stream, QuarantinedRecord.source_record_id
        ).where(QuarantinedRecord.quarantined_at >= moment),
    )
    for system, stream, record_id in session.execute(written):
        touched[(system, stream)].add(record_id)
    written_rows = union_all(
        *(
            select(t.source_system, t.source_record_id, t.first_loaded_at).where(t.loaded_at >= moment)
            for t in RECORD_TABLES
        )
    )
    published: dict[str, set[str]] = defaultdict(set)
    loaded: dict[tuple[str, str], dt.datetime] = {}
    for system, record_id, first in session.execute(written_rows):
        published[system].add(record_id)
        earlier = loaded.get((system, record_id))
        loaded[(system, record_id)] = first if earlier is None else min(first, earlier)
    known = {*streams, *touched}
    for system, record_ids in sorted(published.items()):
        of_system = sorted(stream for s, stream in known if s == system)
        if not of_system:
            continue  # landed in no stream: not a record the counts are about
        for chunk in batched(sorted(record_ids)):
            statement = (
                select(RawRecord.stream, RawRecord.source_record_id)
                .where(
                    RawRecord.source_system == system,
                    key_in(session, RawRecord.stream, of_system),
                    key_in(session, RawRecord.source_record_id, chunk),
                )
                .distinct()
            )
            for stream, record_id in session.execute(statement):
                touched[(system, stream)].add(record_id)
    return touched, loaded


def _first_moments_of(
    session: Session, system: str, stream: str, record_ids: list[str]
) -> list[tuple[str, dt.datetime | None, dt.datetime | None]]:
    """Each of these records of a stream with when it was first landed and first quarantined."""
    landed = _first_moments(session, RawRecord, RawRecord.fetched_at, system, stream, record_ids)
    held = _first_moments(
        session, QuarantinedRecord, QuarantinedRecord.first_quarantined_at, system, stream, record_ids
    )
    return [(record_id, landed.get(record_id), held.get(record_id)) for record_id in record_ids]


def _first_moments(
    session: Session,
    model: type[RawRecord] | type[QuarantinedRecord],
    first: InstrumentedAttribute[dt.datetime],
    system: str,
    stream: str,
    record_ids: list[str],
) -> dict[str, dt.datetime]:
    """When each of these records of a stream was first landed (or quarantined)."""
    statement = (
        select(model.source_record_id, func.min(first))
        .where(
            model.source_system == system,
            model.stream == stream,
            key_in(session, model.source_record_id, record_ids),
        )
        .group_by(model.source_record_id)
    )
    return {record_id: moment for record_id, moment in session.execute(statement)}


def _first_published(session: Session, system: str, record_ids: list[str]) -> dict[str, dt.datetime]:
    """When a core row first stood for each of these records of a source system."""
    rows = union_all(
        *(
            select(t.source_record_id.label("record_id"), t.first_loaded_at.label("first")).where(
                t.source_system == system, key_in(session, t.source_record_id, record_ids)
            )
            for t in RECORD_TABLES
        )
    ).subquery()
    statement = select(rows.c.record_id, func.min(rows.c.first)).group_by(rows.c.record_id)
    return {record_id: moment for record_id, moment in session.execute(statement)}


def _count_all(
    session: Session, as_of: dt.datetime | None
) -> tuple[dict[StreamKey, Counts], dict[StreamKey, Counts] | None]:
    """Every record's standing now, and as it stood at `as_of` (when given), in one pass.

    Outer joins of grouped keys, not a correlated EXISTS per landed record: both backends hash or
    index the join, so the cost grows with the rows, not with their product.
    """
    rows = union_all(
        *(
            select(
                t.source_system.label("s"), t.source_record_id.label("r"), t.first_loaded_at.label("first")
            )
            for t in RECORD_TABLES
        )
    ).subquery()
    published = (
        select(rows.c.s, rows.c.r, func.min(rows.c.first).label("first"))
        .group_by(rows.c.s, rows.c.r)
        .subquery()
    )
    quarantined = (
        select(
            QuarantinedRecord.source_system.label("s"),
            QuarantinedRecord.stream.label("st"),
            QuarantinedRecord.source_record_id.label("r"),
            func.min(QuarantinedRecord.first_quarantined_at).label("first"),
        )
        .group_by(
            QuarantinedRecord.source_system, QuarantinedRecord.stream, QuarantinedRecord.source_record_id
        )
        .subquery()
    )
    landed = (
        select(
            RawRecord.source_system,
            RawRecord.stream,
            RawRecord.source_record_id,
            func.min(RawRecord.fetched_at).label("first"),
        )
        .group_by(RawRecord.source_system, RawRecord.stream, RawRecord.source_record_id)
        .subquery()
    )
    counted = [
        func.count(),
        func.count(published.c.s),
        func.sum(case((published.c.s.is_(None) & quarantined.c.s.is_not(None), 1), else_=0)),
    ]
    if as_of is not None:
        landed_then = landed.c.first < as_of
        published_then = published.c.first < as_of
        counted += [
            func.sum(case((landed_then, 1), else_=0)),
            func.sum(case((landed_then & published_then, 1), else_=0)),
            func.sum(
                case(
                    (
                        landed_then
                        & (published.c.first.is_(None) | ~published_then)
                        & (quarantined.c.first < as_of),
                        1,
                    ),
                    else_=0,
                )
            ),
        ]
    statement = (
        select(landed.c.source_system, landed.c.stream, *counted)
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
    )
    now: dict[StreamKey, Counts] = {}
    then: dict[StreamKey, Counts] = {}
    for system, stream, *values in session.execute(statement):
        numbers = [int(value or 0) for value in values]
        now[(system, stream)] = Counts(*numbers[:3])
        if as_of is not None:
            then[(system, stream)] = Counts(*numbers[3:])
    return now, (then if as_of is not None else None)
