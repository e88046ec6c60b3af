"""Reading the division tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.warehouse.divisions.models import Division


@dataclass(frozen=True, slots=True)
class DivisionRow:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


def get_divisions(*, session: Session, ids: Sequence[int]) -> dict[int, DivisionRow]:
    """Divisions by id. Division names and codes are public, so no viewer scope applies."""
    statement = select(Division).where(Division.id.in_(ids))
    return {
        d.id: DivisionRow(id=d.id, code=d.code, name=d.name, level=d.level, parent_id=d.parent_id)
        for d in session.scalars(statement)
    }
