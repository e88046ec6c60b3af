"""Reading tags and benefits per person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

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
