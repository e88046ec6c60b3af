"""Jobs: the whole ingest, and the petitions feed on its own (it changes hourly)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from pipelines.assets.common import STAGING_GATE

ingest_all = define_asset_job(
    "ingest_all", selection=AssetSelection.all(), description="Every source, in order"
)
ingest_petitions = define_asset_job(
    "ingest_petitions",
    selection=AssetSelection.groups("petitions")
    | AssetSelection.assets(STAGING_GATE)
    | AssetSelection.groups("cases"),
    description="The petition feed from its cursor through the staging gate, then case links",
)
