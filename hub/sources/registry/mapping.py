"""Grid-registry master data → canonical divisions, grids, grid workers and address rules."""

from __future__ import annotations

from hub.reference import load_table
from hub.sources import fields
from hub.sources.canonical import (
    AddressGridRecord,
    Department,
    DivisionRecord,
    GridRecord,
    GridWorkerRecord,
    SourceRef,
)
from hub.sources.registry.records import AddressPayload, DivisionPayload, GridPayload, GridWorkerPayload

DEPARTMENT = Department.REGISTRY
_DIVISION_LENGTH = 12  # 统计用区划代码 is always written out to 12 digits
_GRID_LEVELS = frozenset({"grid", "micro"})


def _numeric_code(value: str, *, field: str, lengths: set[int]) -> str:
    if not value.isdigit() or len(value) not in lengths:
        expected = " or ".join(str(length) for length in sorted(lengths))
        raise fields.reject(field, "bad_code", f"{value!r} is not a {expected}-digit code")
    return value


def _grid_lengths() -> set[int]:
    return {int(_level_entry(level, field="level")["code_length"]) for level in _GRID_LEVELS}


def _level_entry(level: str, *, field: str) -> dict[str, str]:
    entry = load_table("division_levels").get(level)
    if entry is None:
        raise fields.reject(field, "unknown_code", f"{level!r} is not a division or grid level")
    return dict(entry.values)


def map_division(payload: DivisionPayload) -> DivisionRecord:
    """A division with its 12-digit code, level and parent."""
    code = _numeric_code(fields.require_str(payload, "code"), field="code", lengths={_DIVISION_LENGTH})
    level = fields.require_str(payload, "level")
    if level in _GRID_LEVELS:
        raise fields.reject("level", "unknown_code", f"{level!r} is a grid level, not a division level")
    _level_entry(level, field="level")
    parent = fields.optional_str(payload, "parent_code")
    return DivisionRecord(
        code=code,
        name=fields.require_str(payload, "name"),
        level=level,
        parent_code=_numeric_code(parent, field="parent_code", lengths={_DIVISION_LENGTH})
        if parent
        else None,
        source=SourceRef(DEPARTMENT, code),
    )


def map_grid(payload: GridPayload) -> GridRecord:
    """A grid (15 digits) or micro-grid (17 digits) under its village and parent grid."""
    level = fields.require_str(payload, "level")
    if level not in _GRID_LEVELS:
        raise fields.reject("level", "unknown_code", f"{level!r} is not a grid level (grid, micro)")
    length = int(_level_entry(level, field="level")["code_length"])
    code = _numeric_code(fields.require_str(payload, "code"), field="code", lengths={length})
    division_code = _numeric_code(
        fields.require_str(payload, "division_code"), field="division_code", lengths={_DIVISION_LENGTH}
    )
    if not code.startswith(division_code):
        raise fields.reject(
            "code", "outside_division", f"grid {code} does not lie in division {division_code}"
        )
    parent = fields.optional_str(payload, "parent_code")
    if level == "micro" and (parent is None or not code.startswith(parent)):
        raise fields.reject("parent_code", "missing", f"micro-grid {code} has no enclosing grid ({parent!r})")
    return GridRecord(
        code=code,
        name=fields.require_str(payload, "name"),
        level=level,
        division_code=division_code,
        parent_code=parent,
        source=SourceRef(DEPARTMENT, code),
    )


def map_grid_worker(payload: GridWorkerPayload) -> GridWorkerRecord:
    """A grid worker and the grid they are responsible for."""
    worker_no = fields.require_str(payload, "worker_id")
    return GridWorkerRecord(
        worker_no=worker_no,
        name=fields.require_str(payload, "name"),
        phone=fields.optional_str(payload, "phone"),
        grid_code=_numeric_code(
            fields.require_str(payload, "grid_code"), field="grid_code", lengths=_grid_lengths()
        ),
        source=SourceRef(DEPARTMENT, worker_no),
    )


def map_address(payload: AddressPayload) -> AddressGridRecord:
    """An address → (micro-)grid rule, the hub's way of placing a household in a grid."""
    address = fields.require_str(payload, "address")
    return AddressGridRecord(
        address=address,
        grid_code=_numeric_code(
            fields.require_str(payload, "grid_code"), field="grid_code", lengths=_grid_lengths()
        ),
        source=SourceRef(DEPARTMENT, address),
    )
