"""Loading households: the register (households, members over time, grid placement), and civil
affairs' 十星级文明户 ratings and 道德银行 points of the households it knows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select, union, update
from sqlalchemy.orm import Session

from hub.db.upsert import batched, key_in, row_hash, upsert, upsert_with_ids
from hub.sources.canonical import Department, HouseholdRatingRecord, HouseholdRecord, MoralPointRecord
from hub.warehouse.divisions.loading import division_ids
from hub.warehouse.grids.loading import grids_for_addresses
from hub.warehouse.households.models import Household, HouseholdMember, HouseholdRating, MoralPointEntry
from hub.warehouse.ingestion.models import RawRecord
from hub.warehouse.persons.loading import PersonMention, identity_key, resolve_persons
from hub.warehouse.provenance import LoadResult, LoadRun, Rejection, stamp, with_provenance

HEAD_RELATION = "02"  # GB/T 4761 户主
# Where the household register lands: the stream whose record ids are 户号.
REGISTER_SOURCE = (Department.PUBLIC_SECURITY.value, "households")


def load_households(*, session: Session, records: Sequence[HouseholdRecord], run: LoadRun) -> LoadResult:
    """Upsert households and their members; members the register no longer lists are closed.

    A household is placed in a grid by the registry's address rule; an address the registry does not
    know leaves the household without a grid rather than guessing one.
    """
    mentions = [
        PersonMention(
            person=m.person,
            source=m.source,
            address=r.address,
            household_no=r.hh_no,
            division_code=r.division_code,
        )
        for r in records
        for m in r.members
    ]
    person_ids, persons_written = resolve_persons(session=session, mentions=mentions, run=run)
    divisions = division_ids(session=session, codes=[r.division_code for r in records])
    grids = grids_for_addresses(session=session, addresses=[r.address for r in records])
    rows = []
    for record in records:
        head = next((m for m in record.members if m.relation == HEAD_RELATION), None)
        content = {
            "hh_no": record.hh_no,
            "address": record.address,
            "division_id": divisions.get(record.division_code),
            "grid_id": grids.get(record.address),
            "head_person_id": person_ids[identity_key(PersonMention(head.person, head.source))]
            if head
            else None,
        }
        rows.append(with_provenance(content, source=record.source, run=run))
    households_written, household_ids = upsert_with_ids(session, Household, rows, key=("hh_no",))
    members_written = _sync_members(session, records, household_ids, person_ids, run)
    return LoadResult(
        received=len(records),
        written_by_table={
            **persons_written,
            "households": households_written,
            "household_members": members_written,
        },
    )


def _sync_members(
    session: Session,
    records: Sequence[HouseholdRecord],
    household_ids: dict[tuple[object, ...], int],
    person_ids: dict[str, int],
    run: LoadRun,
) -> int:
    """Open a membership for each newly listed member, update relations, close dropped members."""
    open_rows: dict[tuple[int, int], tuple[int, str]] = {}
    for chunk in batched(household_ids.values()):
        statement = select(
            HouseholdMember.household_id,
            HouseholdMember.person_id,
            HouseholdMember.id,
            HouseholdMember.relation,
        ).where(key_in(session, HouseholdMember.household_id, chunk), HouseholdMember.valid_to.is_(None))
        for household_id, person_id, member_id, relation in session.execute(statement):
            open_rows[(household_id, person_id)] = (member_id, relation)
    today = run.at.date()
    rows = []
    listed: set[tuple[int, int]] = set()
    for record in records:
        household_id = household_ids[(record.hh_no,)]
        for member in record.members:
            pair = (household_id, person_ids[identity_key(PersonMention(member.person, member.source))])
            listed.add(pair)
            existing = open_rows.get(pair)
            if existing is not None and existing[1] == member.relation:
                continue
            valid_from = today
            if existing is not None:
                valid_from = session.get_one(HouseholdMember, existing[0]).valid_from
            content = {
                "household_id": pair[0],
                "person_id": pair[1],
                "relation": member.relation,
                "valid_from": valid_from,
                "valid_to": None,
            }
            rows.append(with_provenance(content, source=member.source, run=run))
    written = upsert(session, HouseholdMember, rows, key=("household_id", "person_id", "valid_from"))
    dropped = [member_id for pair, (member_id, _) in open_rows.items() if pair not in listed]
    for chunk in batched(dropped):
        closed = {"valid_to": today, **stamp(run), "row_hash": row_hash({"closed": today})}
        closing = update(HouseholdMember).where(key_in(session, HouseholdMember.id, chunk))
        session.execute(closing.values(**closed))
    return written + len(dropped)


def grids_of_residents(*, session: Session, person_ids: Sequence[int]) -> dict[int, int]:
    """The grid of the household each person now belongs to (the first, if they belong to several)."""
    found: dict[int, int] = {}
    for chunk in batched(set(person_ids)):
        statement = (
            select(HouseholdMember.person_id, Household.grid_id)
            .join(Household, Household.id == HouseholdMember.household_id)
            .where(
                key_in(session, HouseholdMember.person_id, chunk),
                HouseholdMember.valid_to.is_(None),
                Household.grid_id.is_not(None),
            )
            .order_by(HouseholdMember.person_id, Household.id)
        )
        for person_id, grid_id in session.execute(statement):
            if grid_id is not None:
                found.setdefault(person_id, grid_id)
    return found


def load_household_ratings(
    *, session: Session, records: Sequence[HouseholdRatingRecord], run: LoadRun
) -> LoadResult:
    """Upsert 十星级文明户 ratings; a rating of a household the register never sent is rejected."""
    return _load_for_households(
        session,
        records,
        run,
        HouseholdRating,
        lambda r: {
            "hh_no": r.hh_no,
            "year": r.year,
            "stars": r.stars,
            "assessed_by": r.assessed_by,
            "assessed_on": r.assessed_on,
        },
    )


def load_moral_points(*, session: Session, records: Sequence[MoralPointRecord], run: LoadRun) -> LoadResult:
    """Upsert 道德银行 entries; an entry of a household the register never sent is rejected."""
    return _load_for_households(
        session,
        records,
        run,
        MoralPointEntry,
        lambda r: {
            "hh_no": r.hh_no,
            "entry_no": r.entry_no,
            "recorded_on": r.recorded_on,
            "reason": r.reason,
            "points": r.points,
            "balance": r.balance,
        },
    )


HouseholdFact = TypeVar("HouseholdFact", HouseholdRatingRecord, MoralPointRecord)


def _load_for_households(
    session: Session,
    records: Sequence[HouseholdFact],
    run: LoadRun,
    model: type[HouseholdRating] | type[MoralPointEntry],
    content: Callable[[HouseholdFact], dict[str, object]],
) -> LoadResult:
    """Upsert records about households by their source record; those of unregistered households go."""
    known = registered_households(session=session, hh_nos=[r.hh_no for r in records])
    rows = [with_provenance(content(r), source=r.source, run=run) for r in records if r.hh_no in known]
    written = upsert(session, model, rows, key=("source_system", "source_record_id"))
    return LoadResult(
        received=len(records),
        written_by_table={model.__tablename__: written},
        rejected=_unregistered(records, known),
    )


def registered_households(*, session: Session, hh_nos: Sequence[str]) -> set[str]:
    """The 户号 among `hh_nos` that the household register has sent: published, or landed and held.

    A household the register's load quarantined (a member's bad birth date …) is still registered;
    what civil affairs says about it waits in the warehouse until the household is published.
    """
    system, stream = REGISTER_SOURCE
    found: set[str] = set()
    for chunk in batched(set(hh_nos)):
        published = select(Household.hh_no).where(key_in(session, Household.hh_no, chunk))
        landed = select(RawRecord.source_record_id).where(
            RawRecord.source_system == system,
            RawRecord.stream == stream,
            key_in(session, RawRecord.source_record_id, chunk),
        )
        found.update(session.scalars(union(published, landed)))
    return found


def _unregistered(
    records: Sequence[HouseholdRatingRecord | MoralPointRecord], known: set[str]
) -> tuple[Rejection, ...]:
    return tuple(
        Rejection(
            source=record.source,
            rule="household.registered",
            reason=f"household {record.hh_no} is not in the public-security household register",
        )
        for record in records
        if record.hh_no not in known
    )
