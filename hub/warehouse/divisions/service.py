"""Reading the division tree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.warehouse.divisions.models import Division

# 统计用区划代码: 2 province, 2 city, 2 county, 3 township, 3 village digits.
_PREFIX_LENGTHS = (2, 4, 6, 9, 12)


class DivisionRow(NamedTuple):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


_COLUMNS = (Division.id, Division.code, Division.name, Division.level, Division.parent_id)


def get_divisions(*, session: Session, ids: Sequence[int]) -> dict[int, DivisionRow]:
    """Divisions by id. Division names and codes are public, so no viewer scope applies."""
    statement = select(*_COLUMNS).where(Division.id.in_(ids))
    return {row.id: DivisionRow._make(row) for row in session.connection().execute(statement)}


def get_divisions_by_code(*, session: Session, codes: Sequence[str]) -> dict[str, DivisionRow]:
    """Divisions by their 12-digit code (public, unscoped)."""
    statement = select(*_COLUMNS).where(Division.code.in_(codes))
    return {row.code: DivisionRow._make(row) for row in session.connection().execute(statement)}


def ancestor_codes(code: str) -> list[str]:
    """The 12-digit codes of the province, city, county, township and village a code lies in.

    A grid code begins with its village's 12 digits; each coarser division pads its prefix with zeros.
    """
    return [code[:length].ljust(12, "0") for length in _PREFIX_LENGTHS]
