"""Reading tags and benefits per person."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.warehouse.pagination import in_batch, listed_for
from hub.warehouse.scope import scoped_tags
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Viewer

# The reads select table columns, not ORM attributes: on each execution SQLAlchemy matches the new
# statement's result columns to its cached compilation's, and annotated ORM columns are matched by
# building a SQL `==` expression for each (measured: a third of a one-row lookup's time).
_tags = PersonTag.__table__.c


class TagRow(NamedTuple):
    id: int
    person_id: int
    kind: str
    department: str
    sensitivity: int
    valid_from: dt.date | None
    valid_to: dt.date | None
    amount: str | None


def tags_of_persons(
    *, session: Session, viewer: Viewer, person_ids: Sequence[int]
) -> dict[int, list[TagRow]]:
    """Each person's tags the viewer may see, current and past, newest first."""
    statement = functools.partial(_tags_of_persons_statement, viewer)
    return listed_for(session, statement, person_ids, key="person_id", make=TagRow)


@functools.lru_cache(maxsize=256)
def _tags_of_persons_statement(viewer: Viewer, *, postgresql: bool) -> Select[Any]:
    return scoped_tags(
        select(
            _tags.id,
            _tags.person_id,
            _tags.kind,
            _tags.department,
            _tags.sensitivity,
            _tags.valid_from,
            _tags.valid_to,
            _tags.amount,
        ).where(in_batch(_tags.person_id, "keys", postgresql=postgresql)),
        viewer,
    ).order_by(_tags.person_id, _tags.valid_from.desc(), _tags.id)
