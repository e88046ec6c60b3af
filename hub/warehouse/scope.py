"""Scoping reads to what a viewer may see, in the queries themselves (DESIGN §8).

Grid codes begin with their village's 12-digit code, which begins with its township's and county's,
so a viewer's division or grid codes are prefixes of every grid code they may see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import QueryableAttribute

from hub.warehouse.grids.models import Grid
from hub.warehouse.pagination import AnySelect
from hub.warehouse.viewer import Role, Viewer

Column = ColumnElement[Any] | QueryableAttribute[Any]


def grid_visible(viewer: Viewer, grid_id_column: Column) -> ColumnElement[bool] | None:
    """A condition on a grid id column limiting it to the viewer's grids; None when unrestricted."""
    if viewer.sees_everything:
        return None
    if viewer.role is Role.AUDITOR or not viewer.scope_codes:
        return false()
    in_scope = select(Grid.id).where(or_(*(Grid.code.startswith(code) for code in viewer.scope_codes)))
    return grid_id_column.in_(in_scope)


def scoped(statement: AnySelect, viewer: Viewer, grid_id_column: Column) -> AnySelect:
    """`statement` restricted to rows in the viewer's grids."""
    condition = grid_visible(viewer, grid_id_column)
    return statement if condition is None else statement.where(condition)
