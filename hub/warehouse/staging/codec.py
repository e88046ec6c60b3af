"""Canonical records to staged rows and back, following each record type's `Layout`.

Writing and reading must be exact inverses (`read(write(r)) == r` for every canonical record): the
publish stage loads what staging returns, so a field lost here would be a field lost in the hub.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import cache
from typing import Any

from hub.enums import member_of
from hub.sources.canonical import Department, SourceRef
from hub.warehouse.staging.tables import PARENT_KEY, POSITION, Layout, Scalar

Row = dict[str, Any]


def _value(record: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if record is None:
            return None
        record = getattr(record, name)
    return record.value if isinstance(record, Enum) else record


def record_row(layout: Layout, record: Any) -> Row:
    """The record's own columns (children are written by `child_rows`)."""
    return {scalar.column: _value(record, scalar.path) for scalar in layout.scalars}


def child_rows(layout: Layout, record: Any, parent_id: int) -> dict[str, list[Row]]:
    """Rows of each child table (by table name) for one record staged under `parent_id`."""
    rows: dict[str, list[Row]] = {}
    for field, child in layout.children.items():
        rows[child.table.name] = [
            {PARENT_KEY: parent_id, POSITION: position, **record_row(child, member)}
            for position, member in enumerate(getattr(record, field))
        ]
    return rows


def build_record(layout: Layout, row: Mapping[str, Any], children: Mapping[str, Sequence[Any]]) -> Any:
    """The record a staged row (and its children, already built, by field) stands for."""
    return _builder(layout)(row, children)


@cache
def _builder(layout: Layout) -> Callable[[Mapping[str, Any], Mapping[str, Sequence[Any]]], Any]:
    """A function rebuilding `layout`'s record type from a row, planned once per layout."""
    return _record_builder(layout.record_type, (), {s.path: s for s in layout.scalars}, set(layout.children))


def _record_builder(
    record_type: type, prefix: tuple[str, ...], scalars: Mapping[tuple[str, ...], Scalar], tuples: set[str]
) -> Callable[[Mapping[str, Any], Mapping[str, Sequence[Any]]], Any]:
    parts: list[tuple[str, Callable[[Mapping[str, Any], Mapping[str, Sequence[Any]]], Any]]] = []
    for field in dataclasses.fields(record_type):
        path = (*prefix, field.name)
        if not prefix and field.name in tuples:
            parts.append((field.name, _children_reader(field.name)))
        elif path in scalars:
            parts.append((field.name, _scalar_reader(scalars[path])))
        elif (*path, "department") in scalars:
            parts.append((field.name, _source_reader(scalars[(*path, "department")])))
        else:
            nested = _record_builder(_field_type(record_type, field.name), path, scalars, set())
            parts.append((field.name, nested))

    def build(row: Mapping[str, Any], children: Mapping[str, Sequence[Any]]) -> Any:
        return record_type(**{name: read(row, children) for name, read in parts})

    return build


def _field_type(record_type: type, name: str) -> type:
    hint = typing.get_type_hints(record_type)[name]
    assert isinstance(hint, type)
    return hint


def _children_reader(name: str) -> Callable[[Mapping[str, Any], Mapping[str, Sequence[Any]]], Any]:
    return lambda _row, children: tuple(children[name])


def _scalar_reader(scalar: Scalar) -> Callable[[Mapping[str, Any], Mapping[str, Sequence[Any]]], Any]:
    column, kind = scalar.column, scalar.kind
    if issubclass(kind, Enum):
        member = member_of(kind)
        return lambda row, _children: None if row[column] is None else member(row[column])
    return lambda row, _children: row[column]


def _source_reader(scalar: Scalar) -> Callable[[Mapping[str, Any], Mapping[str, Sequence[Any]]], Any]:
    system = scalar.column
    record_id = system.removesuffix("_system") + "_record_id"
    department = member_of(Department)
    return lambda row, _children: (
        None if row[system] is None else SourceRef(department(row[system]), row[record_id])
    )
