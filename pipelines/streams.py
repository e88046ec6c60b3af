"""Every department read (its staging and publish assets) and every stream, by department and name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipelines.assets.civil_affairs import (
    ASSISTANCE,
    BENEFITS,
    HOUSEHOLD_RATINGS,
    MORAL_POINTS,
    civil_affairs_assistance,
    civil_affairs_benefits,
    civil_affairs_household_ratings,
    civil_affairs_moral_points,
)
from pipelines.assets.common import SourceAssets
from pipelines.assets.justice import (
    CORRECTION_SUBJECTS,
    MEDIATION_CASES,
    justice_correction_subjects,
    justice_mediation_cases,
)
from pipelines.assets.petitions import PETITIONS, petitions_feed
from pipelines.assets.public_security import (
    HOUSEHOLDS,
    INCIDENTS,
    public_security_households,
    public_security_incidents,
)
from pipelines.assets.registry import ADDRESSES, DIVISIONS, GRID_WORKERS, GRIDS, grid_registry
from pipelines.ingest import Stream

# Each read's staging asset takes `IngestConfig` (full_reload).
SOURCES: tuple[SourceAssets, ...] = (
    grid_registry,
    public_security_households,
    public_security_incidents,
    civil_affairs_benefits,
    civil_affairs_assistance,
    civil_affairs_household_ratings,
    civil_affairs_moral_points,
    justice_mediation_cases,
    justice_correction_subjects,
    petitions_feed,
)

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
