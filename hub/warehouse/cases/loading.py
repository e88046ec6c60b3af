"""Loading cases: every department's cases onto the unified lifecycle, and linking them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hub.db.upsert import batched, key_in, upsert, upsert_with_ids
from hub.sources.canonical import CaseRecord, SourceRef
from hub.warehouse.cases.models import Case, CaseEvent, CaseLink, CaseParty
from hub.warehouse.divisions.loading import division_ids
from hub.warehouse.grids.loading import grids_for_addresses
from hub.warehouse.households.loading import grids_of_residents
from hub.warehouse.persons.loading import PersonMention, identity_key, resolve_persons
from hub.warehouse.provenance import LoadResult, LoadRun, stamp, with_provenance


def load_cases(*, session: Session, records: Sequence[CaseRecord], run: LoadRun) -> LoadResult:
    """Upsert cases with their parties, links and events (`resolve_case_links` points the links at
    their targets once every department's cases are in)."""
    # A case's address is where it happened (an incident's scene), not where its parties live: it
    # is no evidence about who they are. Its village is, weakly: people act mostly near home.
    mentions = [
        PersonMention(person=p.person, source=r.source, division_code=r.division_code)
        for r in records
        for p in r.parties
    ]
    person_ids, persons_written = resolve_persons(session=session, mentions=mentions, run=run)
    divisions = division_ids(session=session, codes=[r.division_code for r in records if r.division_code])
    grids = grids_for_addresses(session=session, addresses=[r.address for r in records if r.address])
    # A case written without an address (a petition, a mediation) belongs where its first party lives.
    first_parties = {
        r.case_no: person_ids[identity_key(PersonMention(r.parties[0].person, r.source))]
        for r in records
        if r.parties and not (r.address and r.address in grids)
    }
    home_grids = grids_of_residents(session=session, person_ids=list(first_parties.values()))
    rows = []
    for record in records:
        grid_id = grids.get(record.address or "") or home_grids.get(first_parties.get(record.case_no, -1))
        content = {
            "department": record.department.value,
            "case_no": record.case_no,
            "kind": record.kind.value,
            "category": record.category,
            "status": record.status.value,
            "resolution_level": record.resolution_level.value if record.resolution_level else None,
            "opened_at": record.opened_at,
            "closed_at": record.closed_at,
            "deadline": record.deadline,
            "division_id": divisions.get(record.division_code) if record.division_code else None,
            "grid_id": grid_id,
            "address": record.address,
            "summary": record.summary,
            "satisfaction": record.satisfaction,
        }
        rows.append(with_provenance(content, source=record.source, run=run))
    cases_written, case_ids = upsert_with_ids(session, Case, rows, key=("department", "case_no"))
    written = {**persons_written, "cases": cases_written}
    parties, links, events = [], [], []
    for record in records:
        case_id = case_ids[(record.department.value, record.case_no)]
        source = record.source
        seen_parties = set()
        for party in record.parties:
            person_id = person_ids[identity_key(PersonMention(party.person, source))]
            if (person_id, party.role) in seen_parties:
                continue
            seen_parties.add((person_id, party.role))
            parties.append(
                _row({"case_id": case_id, "person_id": person_id, "role": party.role}, source, run)
            )
        for link in record.links:
            content = {"case_id": case_id, "target_case_no": link.target_case_no, "relation": link.relation}
            links.append(_row(content, source, run))
        for event in record.events:
            content = {"case_id": case_id, "at": event.at, "status": event.status.value, "note": event.note}
            events.append(_row(content, source, run))
    written["case_parties"] = upsert(session, CaseParty, parties, key=("case_id", "person_id", "role"))
    written["case_parties"] += _drop_unlisted_parties(session, case_ids.values(), parties)
    written["case_links"] = upsert(session, CaseLink, links, key=("case_id", "target_case_no", "relation"))
    written["case_events"] = upsert(session, CaseEvent, events, key=("case_id", "status", "at"))
    return LoadResult(received=len(records), written_by_table=written)


def _drop_unlisted_parties(
    session: Session, case_ids: Iterable[int], parties: Sequence[Mapping[str, object]]
) -> int:
    """Delete the parties of these cases that their records no longer list (a party removed, a
    person told apart from another by undoing a merge); returns how many went."""
    listed = {(row["case_id"], row["person_id"], row["role"]) for row in parties}
    dropped = []
    for chunk in batched(sorted(case_ids)):
        statement = select(CaseParty.id, CaseParty.case_id, CaseParty.person_id, CaseParty.role).where(
            key_in(session, CaseParty.case_id, chunk)
        )
        dropped += [id_ for id_, *key in session.execute(statement) if tuple(key) not in listed]
    for chunk in batched(dropped):
        session.execute(delete(CaseParty).where(key_in(session, CaseParty.id, chunk)))
    return len(dropped)


def _row(content: Mapping[str, object], source: SourceRef, run: LoadRun) -> dict[str, object]:
    return with_provenance(dict(content), source=source, run=run)


def resolve_case_links(*, session: Session, run: LoadRun) -> int:
    """Point every unresolved link at its target case once that case is in the warehouse.

    Case numbers carry their department's prefix (J…, TJ…, XF…), so a number names one case; the
    link stays unresolved, not wrong, while its target has not been loaded yet. Run once every
    department's cases are in (the `case_links` step), not by each batch of cases: batches of
    different reads publish at once, and would update the same links, and count them, in whichever
    order they happened to run.
    """
    # One statement (UPDATE … FROM): a first load resolves tens of thousands of links at once.
    resolved = session.execute(
        update(CaseLink)
        .where(CaseLink.target_case_id.is_(None), Case.case_no == CaseLink.target_case_no)
        .values(target_case_id=Case.id, **stamp(run))
        .returning(CaseLink.id)
    )
    return len(resolved.all())
