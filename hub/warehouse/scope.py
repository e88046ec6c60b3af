"""Scoping reads to what a viewer may see, in the queries themselves (DESIGN §8).

Grid codes begin with their village's 12-digit code, which begins with its township's and county's,
so a viewer's division or grid codes are prefixes of every grid code they may see. Department
officers see the whole county's households but only their own department's cases, and other
departments' tags only when those are not sensitive.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import QueryableAttribute

from hub.warehouse.cases.models import Case
from hub.warehouse.grids.models import Grid
from hub.warehouse.pagination import AnySelect
from hub.warehouse.tags.models import PersonTag
from hub.warehouse.viewer import Role, Viewer

Column = ColumnElement[Any] | QueryableAttribute[Any]

# Tags of grade 1 ("personal information", PIPL) are shown to department officers of any department.
NON_SENSITIVE_GRADE = 1


def grid_visible(viewer: Viewer, grid_id_column: Column) -> ColumnElement[bool] | None:
    """A condition on a grid id column limiting it to the viewer's grids; None when unrestricted."""
    if viewer.sees_every_grid:
        return None
    if viewer.role is Role.AUDITOR or not viewer.scope_codes:
        return false()
    in_scope = select(Grid.id).where(or_(*(Grid.code.startswith(code) for code in viewer.scope_codes)))
    return grid_id_column.in_(in_scope)


def scoped(statement: AnySelect, viewer: Viewer, grid_id_column: Column) -> AnySelect:
    """`statement` restricted to rows in the viewer's grids."""
    condition = grid_visible(viewer, grid_id_column)
    return statement if condition is None else statement.where(condition)


def case_visible(viewer: Viewer) -> ColumnElement[bool]:
    """A condition on `cases` limiting them to the viewer's grids and, if any, department."""
    conditions: list[ColumnElement[bool]] = []
    in_grids = grid_visible(viewer, Case.grid_id)
    if in_grids is not None:
        conditions.append(in_grids)
    if viewer.limited_to_department:
        conditions.append(Case.department == viewer.department if viewer.department else false())
    return and_(true(), *conditions)


def scoped_cases(statement: AnySelect, viewer: Viewer) -> AnySelect:
    """`statement` (which selects from or joins `cases`) restricted to the cases the viewer may see."""
    return statement if viewer.sees_everything else statement.where(case_visible(viewer))


def tag_visible(viewer: Viewer) -> ColumnElement[bool] | None:
    """A condition on `person_tags` hiding other departments' sensitive tags; None when unrestricted."""
    if not viewer.limited_to_department:
        return None
    return or_(PersonTag.department == viewer.department, PersonTag.sensitivity <= NON_SENSITIVE_GRADE)


def scoped_tags(statement: AnySelect, viewer: Viewer) -> AnySelect:
    condition = tag_visible(viewer)
    return statement if condition is None else statement.where(condition)
