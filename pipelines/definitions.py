"""The one Dagster `Definitions` object: assets, jobs, schedules and resources from settings."""

from __future__ import annotations

from dagster import AssetsDefinition, Definitions

from hub.config import get_settings
from pipelines.assets.cases import case_links
from pipelines.assets.persons import person_resolution
from pipelines.assets.warehouse import warehouse_statistics
from pipelines.jobs import ingest_all, ingest_petitions
from pipelines.quality import quality_assets
from pipelines.resources import resources_from_settings
from pipelines.schedules import hourly_petitions, nightly_ingest
from pipelines.streams import SOURCES

# The assets that read a department; each takes `IngestConfig` (full_reload).
stage_assets: list[AssetsDefinition] = [source.stage for source in SOURCES]
publish_assets: list[AssetsDefinition] = [source.publish for source in SOURCES]
all_assets: list[AssetsDefinition] = [
    *stage_assets,
    *publish_assets,
    person_resolution,
    case_links,
    warehouse_statistics,
    *quality_assets,
]

defs = Definitions(
    assets=all_assets,
    jobs=[ingest_all, ingest_petitions],
    schedules=[nightly_ingest, hourly_petitions],
    resources=resources_from_settings(get_settings()),
)
