"""Loading the division tree from the grid registry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from hub.db.upsert import ids_by_key, upsert
from hub.sources.canonical import DivisionRecord
from hub.warehouse.divisions.models import Division
from hub.warehouse.provenance import LoadResult, LoadRun, with_provenance

LEVEL_ORDER = ("province", "city", "county", "township", "village")


def load_divisions(*, session: Session, records: Sequence[DivisionRecord], run: LoadRun) -> LoadResult:
    """Upsert divisions parents first, so every row can point at its parent's id."""
    ordered = sorted(records, key=lambda r: (LEVEL_ORDER.index(r.level), r.code))
    known = ids_by_key(session, Division, ("code",), ((r.parent_code,) for r in ordered if r.parent_code))
    written = 0
    for level in LEVEL_ORDER:
        batch = [r for r in ordered if r.level == level]
        rows = []
        for record in batch:
            parent_id = known.get((record.parent_code,)) if record.parent_code else None
            content = {
                "code": record.code,
                "name": record.name,
                "level": record.level,
                "parent_id": parent_id,
            }
            rows.append(with_provenance(content, source=record.source, run=run))
        written += upsert(session, Division, rows, key=("code",))
        known.update(ids_by_key(session, Division, ("code",), ((r.code,) for r in batch)))
    return LoadResult(received=len(records), written_by_table={"divisions": written})


def division_ids(*, session: Session, codes: Sequence[str]) -> dict[str, int]:
    """Surrogate ids of the divisions with these codes (unknown codes are left out)."""
    return {
        code: id_ for (code,), id_ in ids_by_key(session, Division, ("code",), ((c,) for c in codes)).items()
    }
