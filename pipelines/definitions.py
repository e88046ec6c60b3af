"""The one Dagster `Definitions` object: assets, jobs, schedules and resources from settings."""

from __future__ import annotations

from dagster import AssetsDefinition, Definitions, load_assets_from_modules

from hub.config import get_settings
from pipelines.assets import cases, civil_affairs, justice, petitions, public_security, registry
from pipelines.jobs import ingest_all, ingest_petitions
from pipelines.resources import resources_from_settings
from pipelines.schedules import hourly_petitions, nightly_ingest

ASSET_MODULES = (registry, public_security, civil_affairs, justice, petitions, cases)
all_assets = [a for a in load_assets_from_modules(list(ASSET_MODULES)) if isinstance(a, AssetsDefinition)]

defs = Definitions(
    assets=all_assets,
    jobs=[ingest_all, ingest_petitions],
    schedules=[nightly_ingest, hourly_petitions],
    resources=resources_from_settings(get_settings()),
)
