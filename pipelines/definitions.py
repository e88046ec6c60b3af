"""The one Dagster `Definitions` object: assets, jobs, schedules and resources from settings."""

from __future__ import annotations

from dagster import AssetsDefinition, Definitions

from hub.config import get_settings
from pipelines.assets.cases import case_links
from pipelines.assets.civil_affairs import (
    civil_affairs_assistance,
    civil_affairs_benefits,
    civil_affairs_household_ratings,
    civil_affairs_moral_points,
)
from pipelines.assets.justice import justice_correction_subjects, justice_mediation_cases
from pipelines.assets.persons import person_resolution
from pipelines.assets.petitions import petitions_feed
from pipelines.assets.public_security import public_security_households, public_security_incidents
from pipelines.assets.registry import grid_registry
from pipelines.assets.warehouse import warehouse_statistics
from pipelines.checks import reconciliation_checks
from pipelines.jobs import ingest_all, ingest_petitions
from pipelines.quality import quality_assets, quality_checks
from pipelines.resources import resources_from_settings
from pipelines.schedules import hourly_petitions, nightly_ingest

# The assets that read a department; each takes `IngestConfig` (full_reload).
source_assets: list[AssetsDefinition] = [
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
]
all_assets: list[AssetsDefinition] = [
    *source_assets,
    person_resolution,
    case_links,
    warehouse_statistics,
    *quality_assets,
]
all_checks = [*reconciliation_checks(source_assets), *quality_checks]

defs = Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[ingest_all, ingest_petitions],
    schedules=[nightly_ingest, hourly_petitions],
    resources=resources_from_settings(get_settings()),
)
