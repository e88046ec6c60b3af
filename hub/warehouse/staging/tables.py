"""The typed `stg_*` tables, one per canonical record type, generated from the record dataclasses.

A staged row is one mapped source record waiting to be published: its fields as typed columns
(codes already national, identities normalised), so that the staging suites in `expectations/` can
check it before it reaches a core table. The columns follow the dataclass, so a field added to a
canonical record is a column here (and a migration) without a second list to keep in step:

- a scalar field is a column of its type; `X | None` is nullable;
- an enum is its value (`String`), a `SourceRef` named `f` is `f_system` + `f_record_id` (the
  record's own `source` thus gives every table `source_system` and `source_record_id`);
- a nested record (a member's `person`) is flattened into `person_<field>` columns;
- a tuple of records (a household's members) is a child table keyed by the staged row and position.

Besides the record, every staged row says which stream and version it came from, and which run
staged it. Rows stay only until they are published or held back, so staging holds pending work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Table, Text
from sqlalchemy.types import TypeEngine

from hub.db.base import Base, UtcDateTime
from hub.sources.canonical import (
    AddressGridRecord,
    CaseRecord,
    DivisionRecord,
    GridRecord,
    GridWorkerRecord,
    HouseholdRatingRecord,
    HouseholdRecord,
    MoralPointRecord,
    SourceRef,
    TagRecord,
)

PARENT_KEY = "staging_id"
POSITION = "position"


@dataclass(frozen=True)
class Scalar:
    """A column holding one field (or one field of a nested record): `path` leads to it."""

    column: str
    path: tuple[str, ...]
    kind: type  # str, int, bool, date, datetime, an Enum subclass, or SourceRef's parts (str)
    nullable: bool


@dataclass(frozen=True, eq=False)  # one per record type: compared and hashed by identity
class Layout:
    """How one record type sits in a table: its scalar columns and its child tables by field."""

    record_type: type
    table: Table
    scalars: tuple[Scalar, ...]
    children: Mapping[str, Layout]

    @property
    def tables(self) -> tuple[Table, ...]:
        """Its table, then its child tables."""
        return (self.table, *(child.table for child in self.children.values()))


def _sql_type(kind: type) -> TypeEngine[Any]:
    if issubclass(kind, Enum):
        return String(32)
    if kind is bool:
        return Boolean()
    if kind is int:
        return Integer()
    if kind is dt.datetime:
        return UtcDateTime()
    if kind is dt.date:
        return Date()
    if kind is str:
        return Text()
    raise TypeError(f"no staging column type for {kind!r}")


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        if len(members) == 1:
            return members[0], True
    return hint, False


def _scalars(record_type: type, prefix: tuple[str, ...], nullable: bool) -> list[Scalar]:
    """The flat columns of `record_type`'s non-tuple fields, nested records included."""
    scalars: list[Scalar] = []
    for field in dataclasses.fields(record_type):
        hint, optional = _unwrap_optional(typing.get_type_hints(record_type)[field.name])
        path = (*prefix, field.name)
        column = "_".join(path)
        if typing.get_origin(hint) is tuple:
            continue
        if hint is SourceRef:
            scalars.append(Scalar(f"{column}_system", (*path, "department"), str, nullable or optional))
            scalars.append(Scalar(f"{column}_record_id", (*path, "record_id"), str, nullable or optional))
        elif dataclasses.is_dataclass(hint):
            assert isinstance(hint, type)
            if optional:  # its columns could not tell a missing record from one of missing fields
                raise TypeError(f"{record_type.__name__}.{field.name}: a nested record cannot be optional")
            scalars.extend(_scalars(hint, path, nullable or optional))
        else:
            scalars.append(Scalar(column, path, hint, nullable or optional))
    return scalars


def _tuple_fields(record_type: type) -> dict[str, type]:
    hints = typing.get_type_hints(record_type)
    found = {}
    for field in dataclasses.fields(record_type):
        hint = hints[field.name]
        if typing.get_origin(hint) is tuple:
            member = typing.get_args(hint)[0]
            assert dataclasses.is_dataclass(member) and isinstance(member, type)
            found[field.name] = member
    return found


def _layout(record_type: type, name: str, children: Mapping[str, str], parent: str | None) -> Layout:
    scalars = tuple(_scalars(record_type, (), False))
    columns: list[Column[Any]] = [Column(s.column, _sql_type(s.kind), nullable=s.nullable) for s in scalars]
    if parent is None:
        bookkeeping: list[Column[Any]] = [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("stream", String(64), nullable=False),
            Column("payload_hash", String(40), nullable=False),
            Column("run_id", String(64), nullable=False),
            Column("staged_at", UtcDateTime(), nullable=False),
        ]
        table = Table(name, Base.metadata, *bookkeeping, *columns)
        # Replacing a record's pending version finds it by id; publishing reads a stream in the
        # order it was staged, batch after batch (without this one, every batch sorts the stream).
        Index(None, table.c.source_system, table.c.stream, table.c.source_record_id)
        Index(f"ix_{name}_stream_order", table.c.source_system, table.c.stream, table.c.id)
    else:
        # No foreign key to the parent: the staging service writes and removes child rows with their
        # parent, in one transaction. A foreign key checked the parent for every child row, and
        # PostgreSQL planned that check from the statistics of the parent table analysed empty
        # (after publishing emptied it): a scan of another index per row, 4.5 s per 1,000 case
        # events in an incremental run at 1,000,000 persons.
        keys: list[Column[Any]] = [
            Column(PARENT_KEY, Integer, primary_key=True),
            Column(POSITION, Integer, primary_key=True),
        ]
        table = Table(name, Base.metadata, *keys, *columns)
    nested = _tuple_fields(record_type)
    unnamed = set(nested) - set(children)
    if unnamed:
        raise TypeError(f"{record_type.__name__}: name the child tables of {sorted(unnamed)}")
    return Layout(
        record_type=record_type,
        table=table,
        scalars=scalars,
        children={field: _layout(nested[field], children[field], {}, name) for field in sorted(nested)},
    )


# The staged form of every canonical record a stream loads, by record type.
LAYOUTS: Mapping[type, Layout] = {
    record_type: _layout(record_type, name, children, None)
    for record_type, name, children in (
        (DivisionRecord, "stg_divisions", {}),
        (GridRecord, "stg_grids", {}),
        (GridWorkerRecord, "stg_grid_workers", {}),
        (AddressGridRecord, "stg_grid_addresses", {}),
        (HouseholdRecord, "stg_households", {"members": "stg_household_members"}),
        (TagRecord, "stg_person_tags", {}),
        (HouseholdRatingRecord, "stg_household_ratings", {}),
        (MoralPointRecord, "stg_moral_point_entries", {}),
        (
            CaseRecord,
            "stg_cases",
            {"parties": "stg_case_parties", "links": "stg_case_links", "events": "stg_case_events"},
        ),
    )
}


def layout_of(record_type: type) -> Layout:
    """The staging layout of a canonical record type (KeyError: the type is never staged)."""
    return LAYOUTS[record_type]


def record_layout_of_table(table: str) -> Layout:
    """The layout of the records a staging table holds rows of (a child table's parent record)."""
    for layout in LAYOUTS.values():
        if table == layout.table.name or table in {c.table.name for c in layout.children.values()}:
            return layout
    raise KeyError(f"{table} is not a staging table")


def staging_tables() -> list[Table]:
    """Every `stg_*` table, children after their parents."""
    return [table for layout in LAYOUTS.values() for table in layout.tables]
