"""Fuzzy resolution in the warehouse: merging persons the loads kept apart, and queueing doubts.

The loads resolve mentions deterministically (valid ID, upgraded legacy ID); a mention without an
ID becomes a person of its own. After every source is loaded, `resolve_warehouse_persons` runs
`hub.resolution.resolve` over mentions afresh (the persons the loads made are provisional, so they
are not passed as fixed identities), and merges the persons a cluster spans into its survivor:
references move to the survivor, the absorbed person keeps `merged_into_id` (and each mention its
`loaded_person_id`) so that a merge can be undone. Uncertain pairs go to `person_match_reviews`;
accepted ones are merged on the next run, rejected ones (and undone merges) are never merged again.

Which mentions a pass weighs: a load queues every mention it writes or changes
(`unresolved_mentions`). When few are (an incremental run), the pass weighs those and their
neighbourhood — every mention sharing a blocking key with one (`person_block_keys`, kept by the
passes), and every mention of the persons those belong to — so its cost follows what changed, not
the county. When many are (the first load, `full=True`), it weighs every mention.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sys
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, Protocol, TypeVar

import numpy as np
import orjson
from sqlalchemy import Table, and_, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from hub.db.arrays import insert_integer_rows
from hub.db.upsert import batched, insert_missing, key_in
from hub.resolution import MatchDecision, PersonCandidate, Resolution, resolve
from hub.resolution.blocking import block_key_hashes
from hub.resolution.candidates import Profile, profile
from hub.resolution.partitions import Linker, Partitioning, links_of
from hub.warehouse.cases.models import CaseParty
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.persons.loading import queue_for_resolution
from hub.warehouse.persons.models import (
    Person,
    PersonBlockKey,
    PersonMatch,
    PersonMatchReview,
    PersonSource,
    UnresolvedMention,
)
from hub.warehouse.provenance import LoadRun, restamp, stamp
from hub.warehouse.tags.models import PersonTag


@dataclass(frozen=True, slots=True)
class ResolutionReport:
    """What one resolution pass did."""

    mentions: int  # weighed by this pass
    changed: int  # of which a load changed since the last pass (all of them in a full pass)
    full: bool
    persons_merged: int
    matches_recorded: int
    reviews_queued: int
    comparisons: int
    skipped_blocks: int
    parts: int  # resolved one after another (a full pass is partitioned)


class MentionKey(Protocol):
    """What names a mention: a `PersonSource` row, or a row of its columns."""

    @property
    def source_system(self) -> str: ...
    @property
    def source_record_id(self) -> str: ...
    @property
    def loaded_person_id(self) -> int: ...


def mention_id(source: MentionKey) -> str:
    """A mention's stable id: the source record that made it and the person it was loaded to."""
    return f"{source.source_system}:{source.source_record_id}:{source.loaded_person_id}"


# A pass weighs every mention when more than this share of them changed since the last one.
FULL_PASS_SHARE = 0.2
# Mentions a full pass resolves at once (whole independent components): its memory is per part.
PART_SIZE = 50_000
# Mentions whose links a full pass works out at once (in one process of its pool).
_LINKED_AT_ONCE = 10_000
_Kept = TypeVar("_Kept")
_Result = TypeVar("_Result")


class MentionRow(NamedTuple):
    """What resolution reads of each mention: columns, not ORM objects (a county has millions), in
    a plain tuple, which a pool's process receives at the cost of its values (a row of the
    database driver's costs three times as much to send)."""

    id: int
    person_id: int
    source_system: str
    source_record_id: str
    loaded_person_id: int
    name_as_sent: str
    id_number_as_sent: str | None
    birth_date: dt.date | None
    sex: str | None
    address: str | None
    household_no: str | None
    phone: str | None
    division_code: str | None


_MENTION_COLUMNS = tuple(getattr(PersonSource, name) for name in MentionRow._fields)


def resolve_warehouse_persons(
    *,
    session: Session,
    run: LoadRun,
    full: bool = False,
    part_size: int = PART_SIZE,
    processes: int | None = None,
) -> ResolutionReport:
    """Resolve the mentions that changed since the last pass (with their neighbourhood; every
    mention when `full` or when many changed) and merge the persons that turn out to be one.

    A pass over every mention is resolved in parts of about `part_size` mentions that cannot
    influence each other (`hub.resolution.partitions`), so that its memory follows the part. The
    parts are weighed in `processes` processes at once (one per core when None), while this one
    reads the next part and merges what the finished ones found, in the parts' order.
    """
    queued = select(UnresolvedMention.person_source_id).order_by(UnresolvedMention.person_source_id)
    changed = session.scalars(queued).all()
    if not changed and not full:
        return ResolutionReport(0, 0, False, 0, 0, 0, 0, 0, 0)
    total = session.scalar(select(func.count()).select_from(PersonSource)) or 0
    full = full or len(changed) > FULL_PASS_SHARE * total
    confirmed = _reviewed_pairs(session, "accepted")
    forbidden = [*_reviewed_pairs(session, "rejected"), *_undone_pairs(session)]
    tally = _Tally()
    if full:
        if processes is None:
            processes = os.cpu_count() or 1
        # A pool only when the pass is big enough for parts: spawning one costs seconds.
        pooled = processes > 1 and total > part_size
        with _pool(processes if pooled else 0) as pool:
            source_ids, partitioning = _partition_all(
                session,
                reviewed=[*confirmed, *forbidden],
                part_size=part_size,
                pool=pool,
                processes=processes,
            )
            part_ids = ([source_ids[position] for position in part] for part in partitioning.parts)
            oversized = partitioning.oversized
            if pool is not None and len(partitioning.parts) > 1:
                _resolve_parts_apart(
                    session, part_ids, confirmed, forbidden, oversized, run, tally, pool, processes
                )
            else:
                for ids in part_ids:
                    # Streamed into candidates: a part can be most of a county (see `PART_SIZE`),
                    # and its rows held beside the candidates would double the pass's memory.
                    streamed = _each_mention(session, ids)
                    _resolve_part(session, streamed, confirmed, forbidden, oversized, run, tally)
        _mark_resolved(session, changed)
        weighed = changed_count = len(source_ids)
        parts = len(partitioning.parts)
    else:
        rows = _neighbourhood(session, changed)
        fresh = set(changed)
        profiles = _resolve_part(session, rows, confirmed, forbidden, None, run, tally)
        fresh_ids = {mention_id(row): row.id for row in rows if row.id in fresh}
        _replace_keys(session, [(p, fresh_ids[p.mention_id]) for p in profiles if p.mention_id in fresh_ids])
        _mark_resolved(session, changed)
        weighed, changed_count, parts = len(rows), len(changed), 1
    return ResolutionReport(
        mentions=weighed,
        changed=changed_count,
        full=full,
        persons_merged=tally.merged,
        matches_recorded=tally.matches,
        reviews_queued=tally.reviews,
        comparisons=tally.comparisons,
        skipped_blocks=len(tally.skipped),
        parts=parts,
    )


@dataclass
class _Tally:
    merged: int = 0
    matches: int = 0
    reviews: int = 0
    comparisons: int = 0
    skipped: set[str] = field(default_factory=set)


def _partition_all(
    session: Session,
    *,
    reviewed: Sequence[tuple[str, str]],
    part_size: int,
    pool: ProcessPoolExecutor | None,
    processes: int,
) -> tuple[array[int], Partitioning]:
    """Every mention's blocking keys, kept afresh, and the parts a full pass resolves one by one.

    The mentions' links are worked out in the pool, a chunk of rows at a time, when there is one:
    normalising a county's names and addresses is most of a partitioning's time.
    Returns the mentions' `person_sources` ids by position, and the partitioning of those positions.
    """
    session.execute(delete(PersonBlockKey))
    reviewed_mentions = frozenset(mention for pair in reviewed for mention in pair)
    position_of: dict[str, int] = {}
    linker = Linker()
    source_ids = array("q")
    # Streamed: a county's rows at once would be most of the pass's memory. On the session's
    # connection: plain columns need none of the ORM's handling of each row.
    streamed = (
        select(*_MENTION_COLUMNS).order_by(PersonSource.id).execution_options(yield_per=_LINKED_AT_ONCE)
    )
    chunks = (
        (rows, rows)
        for rows in (
            [MentionRow._make(row) for row in chunk]
            for chunk in session.connection().execute(streamed).partitions(min(_LINKED_AT_ONCE, part_size))
        )
    )
    for rows, linked in _in_order(pool, processes, _linked_rows, chunks, reviewed_mentions):
        offset = linker.extend(linked.linker)
        source_ids.extend(row.id for row in rows)
        for mention, position in linked.reviewed:
            position_of[mention] = offset + position
    for left, right in reviewed:
        if left in position_of and right in position_of:
            linker.link(position_of[left], position_of[right])
    block_keys, owners = linker.block_keys()
    # Filling an empty table: its index on mentions is built once afterwards, which costs a sort
    # instead of millions of inserts at random places.
    (by_mention,) = _block_key_table().indexes
    by_mention.drop(session.connection())
    _insert_keys(session, np.column_stack((block_keys, np.frombuffer(source_ids, dtype=np.int64)[owners])))
    by_mention.create(session.connection())
    return source_ids, linker.partition(part_size=part_size)


@dataclass(frozen=True, slots=True)
class _LinkedRows:
    """The links of a chunk of mentions, and which of them a reviewer decided on, by position."""

    linker: Linker
    reviewed: list[tuple[str, int]]


def _linked_rows(rows: Sequence[MentionRow], reviewed: frozenset[str]) -> _LinkedRows:
    """The links of these mentions, in a pool's process or this one."""
    linker = Linker()
    found: list[tuple[str, int]] = []
    for row in rows:
        candidate = _candidate(row)
        position = linker.add(links_of(profile(candidate), person_id=row.person_id))
        if candidate.mention_id in reviewed:
            found.append((candidate.mention_id, position))
    return _LinkedRows(linker, found)


def _resolve_part(
    session: Session,
    rows: Iterable[Any],
    confirmed: Sequence[tuple[str, str]],
    forbidden: Sequence[tuple[str, str]],
    oversized: Mapping[int, int] | None,
    run: LoadRun,
    tally: _Tally,
) -> Sequence[Profile]:
    """Resolve these mentions and merge the persons their clusters span; returns their profiles."""
    candidates, person_of = _candidates(rows)
    resolution = resolve(candidates, confirmed=confirmed, forbidden=forbidden, oversized=oversized)
    del candidates  # the profiles hold them from here on
    _apply(session, resolution, person_of, run, tally)
    return resolution.profiles


def _resolve_parts_apart(
    session: Session,
    parts: Iterable[Sequence[int]],
    confirmed: Sequence[tuple[str, str]],
    forbidden: Sequence[tuple[str, str]],
    oversized: Mapping[int, int],
    run: LoadRun,
    tally: _Tally,
    pool: ProcessPoolExecutor,
    processes: int,
) -> None:
    """`_resolve_part` for each part (its `person_sources` ids), `resolve` running in the pool;
    results are merged in the parts' order, as one process would."""
    # The rows go to the pool, not their candidates: a dataclass costs several times a tuple to send.
    weighed = (
        ({mention_id(row): row.person_id for row in rows}, rows)
        for rows in (list(_each_mention(session, ids)) for ids in parts)
    )
    for person_of, resolution in _in_order(
        pool, processes, _resolved_apart, weighed, confirmed, forbidden, oversized
    ):
        _apply(session, resolution, person_of, run, tally)


@contextmanager
def _pool(processes: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of `processes` processes, or None for fewer than two."""
    if processes < 2:
        yield None
        return
    # Spawned, not forked: the caller may hold threads (Dagster's) and a database connection.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        yield pool


def _in_order(
    pool: ProcessPoolExecutor | None,
    processes: int,
    function: Callable[..., _Result],
    items: Iterable[tuple[_Kept, Any]],
    *arguments: Any,
) -> Iterator[tuple[_Kept, _Result]]:
    """For each (kept, sent) item, `kept` and `function(sent, *arguments)`, in the items' order.

    In the pool when there is one, with at most one item more than it has processes waiting in it,
    so that memory stays a few items; in this process otherwise.
    """
    if pool is None:
        for kept, sent in items:
            yield kept, function(sent, *arguments)
        return
    waiting: deque[tuple[_Kept, Future[_Result]]] = deque()
    for kept, sent in items:
        waiting.append((kept, pool.submit(function, sent, *arguments)))
        if len(waiting) > processes:
            done, future = waiting.popleft()
            yield done, future.result()
    while waiting:
        done, future = waiting.popleft()
        yield done, future.result()


def _resolved_apart(
    rows: Sequence[MentionRow],
    confirmed: Sequence[tuple[str, str]],
    forbidden: Sequence[tuple[str, str]],
    oversized: Mapping[int, int],
) -> Resolution:
    """`resolve` of these mentions in a pool's process, without the profiles (a full pass does not
    keep them, and sending them back would cost more than building them)."""
    candidates = [_candidate(row) for row in rows]
    resolution = resolve(candidates, confirmed=confirmed, forbidden=forbidden, oversized=oversized)
    return replace(resolution, profiles=())


def _candidates(rows: Iterable[Any]) -> tuple[list[PersonCandidate], dict[str, int]]:
    """The mentions' candidates, and the person each mention belongs to now, by mention id."""
    # One pass over the rows, keeping only what is needed after it: at county scale the rows, and
    # a mention id string per use, would be gigabytes beside the profiles resolution builds.
    candidates: list[PersonCandidate] = []
    person_of: dict[str, int] = {}
    for source in rows:
        candidate = _candidate(source)
        candidates.append(candidate)
        person_of[candidate.mention_id] = source.person_id
    return candidates, person_of


def _apply(
    session: Session, resolution: Resolution, person_of: dict[str, int], run: LoadRun, tally: _Tally
) -> None:
    """Merge the persons each cluster spans; record the merges and queue the review pairs."""
    survivor_of: dict[int, int] = {}
    placed: set[int] = set()
    for cluster in resolution.clusters:
        # Persons as they stand (a mention's person follows earlier merges). A person whose
        # mentions resolution split between clusters stays with the first.
        person_ids = sorted({person_of[m] for m in cluster.mention_ids} - placed)
        placed.update(person_ids)
        if len(person_ids) < 2:
            continue
        survivor = _survivor(session, person_ids, cluster.canonical.id_number)
        for absorbed in person_ids:
            if absorbed != survivor:
                tally.merged += _merge(session, absorbed=absorbed, survivor=survivor, run=run)
                survivor_of[absorbed] = survivor
    tally.matches += _record_matches(session, resolution.merges, person_of, survivor_of, run)
    tally.reviews += _queue_reviews(session, resolution, run)
    tally.comparisons += resolution.comparisons
    tally.skipped.update(block.key for block in resolution.skipped_blocks)


def _neighbourhood(session: Session, changed: Sequence[int]) -> list[Any]:
    """The changed mentions, every mention sharing a blocking key with one, and every mention of
    the persons all those belong to."""
    fresh = _mentions(session, PersonSource.id, changed)
    keys = {key for source in fresh for key in block_key_hashes(profile(_candidate(source)))}
    ids = set(changed)
    for chunk in batched(sorted(keys)):
        keyed = select(PersonBlockKey.person_source_id).where(key_in(session, PersonBlockKey.key_hash, chunk))
        ids.update(session.scalars(keyed))
    persons: set[int] = set()
    for chunk in batched(sorted(ids)):
        mentioned = select(PersonSource.person_id).where(key_in(session, PersonSource.id, chunk))
        persons.update(session.scalars(mentioned))
    return sorted(_mentions(session, PersonSource.person_id, sorted(persons)), key=lambda s: s.id)


def _mentions(session: Session, column: Any, values: Sequence[int]) -> list[Any]:
    found: list[Any] = []
    for chunk in batched(values):
        found.extend(session.execute(select(*_MENTION_COLUMNS).where(key_in(session, column, chunk))).all())
    return found


def _each_mention(session: Session, source_ids: Sequence[int]) -> Iterator[MentionRow]:
    """The mentions with these `person_sources` ids, one chunk of rows in memory at a time."""
    for chunk in batched(source_ids):
        statement = select(*_MENTION_COLUMNS).where(key_in(session, PersonSource.id, chunk))
        yield from map(MentionRow._make, session.connection().execute(statement))


def _replace_keys(session: Session, profiled: Sequence[tuple[Profile, int]]) -> None:
    """Store the blocking keys of these mentions in place of what was kept for them."""
    for chunk in batched([id_ for _, id_ in profiled]):
        session.execute(delete(PersonBlockKey).where(key_in(session, PersonBlockKey.person_source_id, chunk)))
    keys = array("q")
    for mentioned, id_ in profiled:
        for key in block_key_hashes(mentioned):
            keys.extend((key, id_))
    _insert_keys(session, np.frombuffer(keys, dtype=np.int64).reshape(-1, 2))


def _block_key_table() -> Table:
    table = PersonBlockKey.__table__
    assert isinstance(table, Table)
    return table


def _insert_keys(session: Session, pairs: np.ndarray) -> None:
    """Insert (key hash, person_sources id) pairs, given as the rows of a two-column array, in key
    order."""
    table = _block_key_table()
    # Sorted by key with NumPy: millions of tuples would cost more memory than the part resolved.
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    insert_integer_rows(session, table, ("key_hash", "person_source_id"), pairs)


def _mark_resolved(session: Session, source_ids: Sequence[int]) -> None:
    """Take the mentions the pass read from the queue out of it: mentions queued since stay there
    for the next pass."""
    for chunk in batched(source_ids, 10_000):
        session.execute(
            delete(UnresolvedMention)
            .where(key_in(session, UnresolvedMention.person_source_id, chunk))
            .execution_options(synchronize_session=False)
        )


def mark_unresolved(*, session: Session, mentions: Iterable[str]) -> None:
    """Have the next pass weigh these mentions again (a reviewer accepted a pair of them)."""
    ids: list[int] = []
    for mention in mentions:
        system, rest = mention.split(":", 1)
        record_id, loaded = rest.rsplit(":", 1)
        ids += session.scalars(
            select(PersonSource.id).where(
                PersonSource.source_system == system,
                PersonSource.source_record_id == record_id,
                PersonSource.loaded_person_id == int(loaded),
            )
        ).all()
    queue_for_resolution(session=session, person_source_ids=ids)


def _survivor(session: Session, person_ids: list[int], id_number: str | None) -> int:
    """The person a merged cluster keeps: the one holding its ID number, else the oldest."""
    if id_number is not None:
        holder = session.scalar(
            select(Person.id).where(Person.id.in_(person_ids), Person.id_number == id_number)
        )
        if holder is not None:
            return holder
    return person_ids[0]


def _candidate(source: Any) -> PersonCandidate:
    return PersonCandidate(
        mention_id=mention_id(source),
        # Interned: every row brings its own copy of a department, village or household code, and a
        # full pass holds a county's candidates at once.
        department=sys.intern(source.source_system),
        name_as_sent=source.name_as_sent,
        id_number_as_sent=source.id_number_as_sent,
        birth_date=source.birth_date,
        sex=source.sex,
        address=source.address,
        household_no=_interned(source.household_no),
        phone=source.phone,
        division_code=_interned(source.division_code),
    )


def _interned(code: str | None) -> str | None:
    return None if code is None else sys.intern(code)


# Keep loaded objects in step with bulk statements by the rows those statements matched, not by
# evaluating every object the session holds (the default), which at county scale is per merge.
_SYNC_MATCHED = {"synchronize_session": "fetch"}


def _merge(session: Session, *, absorbed: int, survivor: int, run: LoadRun) -> int:
    """Move every reference from `absorbed` to `survivor`; 1 if it was not merged there already.

    A membership or party role both persons hold is the same fact twice: the absorbed copy goes.
    Attributes the survivor lacks are taken from the absorbed person.
    """
    person = session.get_one(Person, absorbed)
    if person.merged_into_id == survivor:
        return 0
    kept_person = session.get_one(Person, survivor)
    # What only the absorbed person's sources said (a phone, a birth date) is not lost.
    for attribute in ("sex", "ethnicity", "birth_date", "phone"):
        if getattr(kept_person, attribute) is None and getattr(person, attribute) is not None:
            setattr(kept_person, attribute, getattr(person, attribute))
            restamp(kept_person, run)
    kept = aliased(HouseholdMember)
    session.execute(
        delete(HouseholdMember).where(
            HouseholdMember.person_id == absorbed,
            exists().where(
                and_(
                    kept.person_id == survivor,
                    kept.household_id == HouseholdMember.household_id,
                    kept.valid_from == HouseholdMember.valid_from,
                )
            ),
        ),
        execution_options=_SYNC_MATCHED,
    )
    kept_party = aliased(CaseParty)
    session.execute(
        delete(CaseParty).where(
            CaseParty.person_id == absorbed,
            exists().where(
                and_(
                    kept_party.person_id == survivor,
                    kept_party.case_id == CaseParty.case_id,
                    kept_party.role == CaseParty.role,
                )
            ),
        ),
        execution_options=_SYNC_MATCHED,
    )
    for model in (HouseholdMember, CaseParty, PersonTag, PersonSource):
        session.execute(
            update(model).where(model.person_id == absorbed).values(person_id=survivor, **stamp(run)),
            execution_options=_SYNC_MATCHED,
        )
    session.execute(
        update(Household)
        .where(Household.head_person_id == absorbed)
        .values(head_person_id=survivor, **stamp(run)),
        execution_options=_SYNC_MATCHED,
    )
    session.execute(
        update(Person).where(Person.merged_into_id == absorbed).values(merged_into_id=survivor, **stamp(run)),
        execution_options=_SYNC_MATCHED,
    )
    person.merged_into_id = survivor
    restamp(person, run)
    return 1


def _record_matches(
    session: Session,
    merges: Iterable[MatchDecision],
    person_of: dict[str, int],
    survivor_of: dict[int, int],
    run: LoadRun,
) -> int:
    rows = []
    for decision in merges:
        left, right = person_of[decision.left], person_of[decision.right]
        if left == right:
            continue  # the same loaded person: nothing was merged
        # Every person of a merged cluster but its survivor was absorbed, so one side at least was.
        absorbed = right if right in survivor_of else left
        rows.append(
            {
                "left_mention": decision.left,
                "right_mention": decision.right,
                "survivor_person_id": survivor_of[absorbed],
                "absorbed_person_id": absorbed,
                "rule": decision.rule.value,
                "tier": decision.tier,
                "score": decision.score,
                "evidence": orjson.dumps([e.as_json() for e in decision.evidence]).decode(),
                "run_id": run.run_id,
                "created_at": run.at,
                "undone_at": None,
            }
        )
    return len(insert_missing(session, PersonMatch, rows, key=("left_mention", "right_mention")))


def _queue_reviews(session: Session, resolution: Resolution, run: LoadRun) -> int:
    rows = [
        {
            "left_mention": pair.left,
            "right_mention": pair.right,
            "reason": pair.reason.value,
            "score": pair.score,
            "evidence": orjson.dumps([e.as_json() for e in pair.evidence]).decode(),
            "status": "pending",
            "run_id": run.run_id,
            "created_at": run.at,
        }
        for pair in resolution.review
    ]
    return len(insert_missing(session, PersonMatchReview, rows, key=("left_mention", "right_mention")))


def _reviewed_pairs(session: Session, status: str) -> list[tuple[str, str]]:
    statement = select(PersonMatchReview.left_mention, PersonMatchReview.right_mention).where(
        PersonMatchReview.status == status
    )
    return [(left, right) for left, right in session.execute(statement)]


def _undone_pairs(session: Session) -> list[tuple[str, str]]:
    statement = select(PersonMatch.left_mention, PersonMatch.right_mention).where(
        PersonMatch.undone_at.is_not(None)
    )
    return [(left, right) for left, right in session.execute(statement)]
