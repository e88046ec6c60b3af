"""The run a load belongs to, and the provenance columns every core row gets from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hub.db.base import Provenance
from hub.db.upsert import row_hash
from hub.sources.canonical import SourceRef


@dataclass(frozen=True, slots=True)
class LoadRun:
    """One pipeline run (the Dagster run id) and the moment its load began."""

    run_id: str
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record the warehouse could not take, with the rule it broke: it goes to quarantine."""

    source: SourceRef
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load did: records received, rows inserted or changed per table, records rejected."""

    received: int
    written_by_table: dict[str, int] = field(default_factory=dict)
    rejected: tuple[Rejection, ...] = ()

    @property
    def written(self) -> int:
        return sum(self.written_by_table.values())


def with_provenance(content: dict[str, Any], *, source: SourceRef, run: LoadRun) -> dict[str, Any]:
    """`content` plus source, run and a hash of the content alone (so unchanged rows stay put)."""
    return {
        **content,
        "source_system": source.department.value,
        "source_record_id": source.record_id,
        "run_id": run.run_id,
        "loaded_at": run.at,
        "first_loaded_at": run.at,
        "row_hash": row_hash({**content, "_source": source.department.value, "_id": source.record_id}),
    }


def stamp(run: LoadRun) -> dict[str, Any]:
    """The provenance a change to an existing row sets besides its new values: the run that changed
    it and when. Every write sets it, so that `loaded_at` says which rows changed since a moment
    (the data-quality run checks only those, `hub.quality.scope`)."""
    return {"run_id": run.run_id, "loaded_at": run.at}


def restamp(row: Provenance, run: LoadRun) -> None:
    """`stamp` for a row changed through the ORM."""
    for name, value in stamp(run).items():
        setattr(row, name, value)
