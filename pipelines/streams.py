"""Every stream the pipelines read, by department and name: for work on records already landed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipelines.assets.civil_affairs import ASSISTANCE, BENEFITS, HOUSEHOLD_RATINGS, MORAL_POINTS
from pipelines.assets.justice import CORRECTION_SUBJECTS, MEDIATION_CASES
from pipelines.assets.petitions import PETITIONS
from pipelines.assets.public_security import HOUSEHOLDS, INCIDENTS
from pipelines.assets.registry import ADDRESSES, DIVISIONS, GRID_WORKERS, GRIDS
from pipelines.ingest import Stream

STREAMS: Mapping[tuple[str, str], Stream[Any, Any]] = {
    (stream.department.value, stream.name): stream
    for stream in (
        DIVISIONS,
        GRIDS,
        GRID_WORKERS,
        ADDRESSES,
        HOUSEHOLDS,
        INCIDENTS,
        BENEFITS,
        ASSISTANCE,
        HOUSEHOLD_RATINGS,
        MORAL_POINTS,
        MEDIATION_CASES,
        CORRECTION_SUBJECTS,
        PETITIONS,
    )
}
