"""What reviewers decide about resolution: queued pairs, merges, and undoing a merge.

A pair resolution was unsure about waits in `person_match_reviews` until a reviewer accepts it (the
next resolution merges it, rule `reviewed`) or rejects it (never merged). A reviewer may also
confirm two persons as one that resolution would not merge by itself (one person registered twice
under two ID numbers, 重复户口).

Undoing the merge recorded as `person_matches.id` gives the absorbed person back everything its own
sources said: it stops pointing at the survivor (so do the persons merged into it before), its
mentions (`person_sources.loaded_person_id`) return to it, and so do the memberships, case parties,
tags and household headships that came from records mentioning only it. A record that mentions
both persons (twins in one household, both parties of a dispute) cannot be split by provenance
alone: `UndoneMerge.republish` names those records, and the caller publishes them again from
their landed payloads (`pipelines.review.undo_merge`). Attributes the survivor took from the
absorbed person are dropped unless the survivor's own mentions state them. The match keeps its
row with `undone_at` set, which keeps the pair apart in every later resolution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from hub.db.upsert import batched
from hub.errors import HubError
from hub.resolution.identity import birth_date_of, sex_of
from hub.warehouse.cases.models import CaseParty
from hub.warehouse.households.models import Household, HouseholdMember
from hub.warehouse.persons.models import Person, PersonMatch, PersonMatchReview, PersonSource
from hub.warehouse.persons.resolution import mark_unresolved, mention_id
from hub.warehouse.provenance import LoadRun, restamp, stamp
from hub.warehouse.tags.models import PersonTag

RecordRef = tuple[str, str]  # (source system, source record id)


class MergeNotFound(HubError):
    """No merge has this id."""


class MergeAlreadyUndone(HubError):
    """The merge was undone before; undoing it again would change nothing."""


class ReviewNotFound(HubError):
    """No queued pair has this id, or it was decided already."""


class NotAMention(HubError):
    """A person has no mention to confirm a pair on (it was merged into another, or never loaded)."""


@dataclass(frozen=True, slots=True)
class MergeRow:
    """One merge as resolution recorded it."""

    id: int
    survivor_person_id: int
    absorbed_person_id: int
    rule: str
    tier: int
    score: float
    run_id: str
    created_at: dt.datetime
    undone_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class UndoneMerge:
    """What undoing a merge changed, and the records to publish again to finish it."""

    match_id: int
    survivor_person_id: int
    restored_person_ids: tuple[int, ...]
    mentions_returned: int
    rows_returned: int
    republish: tuple[RecordRef, ...]


def list_merges(*, session: Session, person_id: int | None = None, first: int = 50) -> list[MergeRow]:
    """The most recent merges first, or those a person took part in (as survivor or absorbed)."""
    statement = select(PersonMatch).order_by(PersonMatch.id.desc()).limit(min(max(first, 1), 500))
    if person_id is not None:
        statement = statement.where(
            (PersonMatch.survivor_person_id == person_id) | (PersonMatch.absorbed_person_id == person_id)
        )
    return [
        MergeRow(
            id=match.id,
            survivor_person_id=match.survivor_person_id,
            absorbed_person_id=match.absorbed_person_id,
            rule=match.rule,
            tier=match.tier,
            score=match.score,
            run_id=match.run_id,
            created_at=match.created_at,
            undone_at=match.undone_at,
        )
        for match in session.scalars(statement)
    ]


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A pair waiting for (or given) a reviewer's decision, with why resolution was unsure."""

    id: int
    left_mention: str
    right_mention: str
    reason: str
    score: float
    status: str
    reviewed_by: str | None


def list_reviews(*, session: Session, status: str = "pending", first: int = 50) -> list[ReviewRow]:
    """Queued pairs with this status, oldest first."""
    statement = (
        select(PersonMatchReview)
        .where(PersonMatchReview.status == status)
        .order_by(PersonMatchReview.id)
        .limit(min(max(first, 1), 500))
    )
    return [
        ReviewRow(
            id=review.id,
            left_mention=review.left_mention,
            right_mention=review.right_mention,
            reason=review.reason,
            score=review.score,
            status=review.status,
            reviewed_by=review.reviewed_by,
        )
        for review in session.scalars(statement)
    ]


def decide_review(
    *, session: Session, review_id: int, accept: bool, reviewer: str, at: dt.datetime | None = None
) -> None:
    """Accept or reject a pending pair; the next resolution run acts on it."""
    review = session.get(PersonMatchReview, review_id)
    if review is None or review.status != "pending":
        raise ReviewNotFound(f"no pending review has id {review_id}")
    review.status = "accepted" if accept else "rejected"
    review.reviewed_by, review.reviewed_at = reviewer, at or dt.datetime.now(dt.UTC)
    if accept:
        mark_unresolved(session=session, mentions=(review.left_mention, review.right_mention))


def confirm_same_person(
    *,
    session: Session,
    person_ids: tuple[int, int],
    reviewer: str,
    run_id: str,
    at: dt.datetime | None = None,
) -> int:
    """Record a reviewer's word that two persons are one; the next resolution run merges them.

    The pair is recorded between one mention of each (their first), as an accepted review: the
    same path a queued pair takes, so that undoing the merge works the same way. Returns its id.
    """
    mentions = []
    for person_id in person_ids:
        source = session.scalars(
            select(PersonSource)
            .where(PersonSource.person_id == person_id, PersonSource.loaded_person_id == person_id)
            .order_by(PersonSource.id)
            .limit(1)
        ).first()
        if source is None:
            raise NotAMention(f"person {person_id} has no mention of its own to confirm")
        mentions.append(mention_id(source))
    left, right = sorted(mentions)
    at = at or dt.datetime.now(dt.UTC)
    review = PersonMatchReview(
        left_mention=left,
        right_mention=right,
        reason="reviewer",
        score=1.0,
        evidence="[]",
        status="accepted",
        run_id=run_id,
        created_at=at,
        reviewed_by=reviewer,
        reviewed_at=at,
    )
    session.add(review)
    mark_unresolved(session=session, mentions=(left, right))
    session.flush()
    return review.id


def undo_merge(*, session: Session, match_id: int, run: LoadRun | None = None) -> UndoneMerge:
    """Give the absorbed person of merge `match_id` back what its own records said (see module doc).

    `run` is recorded on every row the undo changes (default: a run of its own, now).
    """
    run = run or LoadRun(f"undo-{match_id}")
    match = session.get(PersonMatch, match_id)
    if match is None:
        raise MergeNotFound(f"no merge has id {match_id}")
    if match.undone_at is not None:
        raise MergeAlreadyUndone(f"merge {match_id} was undone at {match.undone_at.isoformat()}")
    match.undone_at = run.at
    absorbed = match.absorbed_person_id
    survivor = session.get_one(Person, absorbed).merged_into_id or match.survivor_person_id
    restored = _merged_through(session, absorbed)
    for person_id in restored:
        person = session.get_one(Person, person_id)
        person.merged_into_id = None if person_id == absorbed else absorbed
        restamp(person, run)
    mentions = session.execute(
        update(PersonSource)
        .where(PersonSource.loaded_person_id.in_(restored))
        .values(person_id=absorbed, **stamp(run))
        .returning(PersonSource.source_system, PersonSource.source_record_id)
    ).all()
    records = {(system, record_id) for system, record_id in mentions}
    shared = records & _records_mentioning(session, survivor)
    rows = _return_rows(session, records - shared, survivor=survivor, absorbed=absorbed, run=run)
    _drop_borrowed_attributes(session, survivor, run)
    return UndoneMerge(
        match_id=match_id,
        survivor_person_id=survivor,
        restored_person_ids=tuple(sorted(restored)),
        mentions_returned=len(mentions),
        rows_returned=rows,
        republish=tuple(sorted(shared)),
    )


def _merged_through(session: Session, absorbed: int) -> set[int]:
    """`absorbed` and every person merged into it (directly or not) by merges still standing."""
    found = {absorbed}
    frontier = {absorbed}
    while frontier:
        statement = select(PersonMatch.absorbed_person_id).where(
            PersonMatch.survivor_person_id.in_(frontier), PersonMatch.undone_at.is_(None)
        )
        frontier = set(session.scalars(statement)) - found
        found |= frontier
    return found


def _records_mentioning(session: Session, person_id: int) -> set[RecordRef]:
    statement = select(PersonSource.source_system, PersonSource.source_record_id).where(
        PersonSource.person_id == person_id
    )
    return {(system, record_id) for system, record_id in session.execute(statement)}


def _return_rows(
    session: Session, records: Iterable[RecordRef], *, survivor: int, absorbed: int, run: LoadRun
) -> int:
    """Point the survivor's rows that came from `records` (which mention only the absorbed) back."""
    returned = 0
    for chunk in batched(sorted(records)):
        for model in (HouseholdMember, CaseParty, PersonTag):
            moved = session.execute(
                update(model)
                .where(
                    model.person_id == survivor,
                    tuple_(model.source_system, model.source_record_id).in_(chunk),
                )
                .values(person_id=absorbed, **stamp(run))
                .returning(model.id)
                .execution_options(synchronize_session=False)
            )
            returned += len(moved.all())
        headed = session.execute(
            update(Household)
            .where(
                Household.head_person_id == survivor,
                tuple_(Household.source_system, Household.source_record_id).in_(chunk),
            )
            .values(head_person_id=absorbed, **stamp(run))
            .returning(Household.id)
            .execution_options(synchronize_session=False)
        )
        returned += len(headed.all())
    return returned


def _drop_borrowed_attributes(session: Session, person_id: int, run: LoadRun) -> None:
    """Keep only the sex, birth date and phone the person's own mentions or ID number state."""
    person = session.get_one(Person, person_id)
    stated = session.execute(
        select(PersonSource.sex, PersonSource.birth_date, PersonSource.phone).where(
            PersonSource.person_id == person_id
        )
    ).all()
    number = person.id_number
    sexes = {sex for sex, _, _ in stated if sex} | ({sex_of(number)} if number else set())
    births = {birth for _, birth, _ in stated if birth} | ({birth_date_of(number)} if number else set())
    phones = {phone for _, _, phone in stated if phone}
    if person.sex not in sexes:
        person.sex = min(sexes, default=None)
    if person.birth_date not in births:
        person.birth_date = min(births, default=None)
    if person.phone not in phones:
        person.phone = min(phones, default=None)
    if session.is_modified(person):
        restamp(person, run)
