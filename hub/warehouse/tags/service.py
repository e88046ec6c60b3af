"""Tags: loading departments' special-population tags and benefits, and reading them per person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.db.upsert import upsert
from hub.reference.tables import load_table
from hub.sources.canonical import TagRecord
from hub.warehouse.persons.service import PersonMention, identity_key, resolve_persons
from hub.warehouse.provenance import LoadResult, LoadRun, Rejection, with_provenance
from hub.warehouse.tags.models import PersonTag


@dataclass(frozen=True, slots=True)
class TagRow:
    id: int
    person_id: int
    kind: str
    department: str
    sensitivity: int
    valid_from: dt.date | None
    valid_to: dt.date | None
    amount: str | None


def load_tags(*, session: Session, records: Sequence[TagRecord], run: LoadRun) -> LoadResult:
    """Upsert tags onto resolved persons; a tag kind missing from the reference table is rejected."""
    kinds = load_table("tag_kinds")
    known = [r for r in records if r.kind in kinds]
    rejected = tuple(
        Rejection(source=r.source, rule="tag.kind_known", reason=f"tag kind {r.kind!r} is not in tag_kinds")
        for r in records
        if r.kind not in kinds
    )
    mentions = [PersonMention(person=r.person, source=r.source) for r in known]
    person_ids, persons_written = resolve_persons(session=session, mentions=mentions, run=run)
    rows = []
    for record in known:
        kind = kinds.get(record.kind)
        assert kind is not None
        content = {
            "person_id": person_ids[identity_key(PersonMention(record.person, record.source))],
            "kind": record.kind,
            "department": record.source.department.value,
            "sensitivity": int(kind["sensitivity"]),
            "valid_from": record.valid_from,
            "valid_to": record.valid_to,
            "amount": record.amount,
        }
        rows.append(with_provenance(content, source=record.source, run=run))
    written = upsert(session, PersonTag, rows, key=("source_system", "source_record_id"))
    return LoadResult(
        received=len(records),
        written_by_table={**persons_written, "person_tags": written},
        rejected=rejected,
    )


def tags_of_persons(*, session: Session, person_ids: Sequence[int]) -> dict[int, list[TagRow]]:
    """Each person's tags, current and past, newest first."""
    statement = (
        select(PersonTag)
        .where(PersonTag.person_id.in_(person_ids))
        .order_by(PersonTag.person_id, PersonTag.valid_from.desc(), PersonTag.id)
    )
    found: dict[int, list[TagRow]] = {id_: [] for id_ in person_ids}
    for t in session.scalars(statement):
        found[t.person_id].append(
            TagRow(
                id=t.id,
                person_id=t.person_id,
                kind=t.kind,
                department=t.department,
                sensitivity=t.sensitivity,
                valid_from=t.valid_from,
                valid_to=t.valid_to,
                amount=t.amount,
            )
        )
    return found
