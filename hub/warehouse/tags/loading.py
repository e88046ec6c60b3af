"""Loading tags: departments' special-population tags and benefits, onto resolved persons."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from hub.db.upsert import upsert
from hub.reference.tables import load_table
from hub.sources.canonical import TagRecord
from hub.warehouse.persons.loading import PersonMention, identity_key, resolve_persons
from hub.warehouse.provenance import LoadResult, LoadRun, Rejection, with_provenance
from hub.warehouse.tags.models import PersonTag


def load_tags(*, session: Session, records: Sequence[TagRecord], run: LoadRun) -> LoadResult:
    """Upsert tags onto resolved persons; a tag kind missing from the reference table is rejected."""
    kinds = load_table("tag_kinds")
    known = [r for r in records if r.kind in kinds]
    rejected = tuple(
        Rejection(source=r.source, rule="tag.kind_known", reason=f"tag kind {r.kind!r} is not in tag_kinds")
        for r in records
        if r.kind not in kinds
    )
    mentions = [PersonMention(person=r.person, source=r.source, household_no=r.household_no) for r in known]
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
