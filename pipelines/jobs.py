"""Jobs: the whole ingest, and the petitions feed on its own (it changes hourly).

Both run in-process by default: their scheduled runs read a day's or an hour's changes, whose steps
take seconds, and a process per step would cost about a second of Dagster's set-up each. A first load
or a full reload chooses the multiprocess executor in its run configuration (`pipelines.runner`).
"""

from __future__ import annotations

from typing import Any

from dagster import AssetSelection, define_asset_job

from pipelines.assets.common import STAGING_GATE

IN_PROCESS: dict[str, Any] = {"execution": {"config": {"in_process": {}}}}

ingest_all = define_asset_job(
    "ingest_all", selection=AssetSelection.all(), description="Every source, in order", config=IN_PROCESS
)
ingest_petitions = define_asset_job(
    "ingest_petitions",
    selection=AssetSelection.groups("petitions")
    | AssetSelection.assets(STAGING_GATE)
    | AssetSelection.groups("cases"),
    description="The petition feed from its cursor through the staging gate, then case links",
    config=IN_PROCESS,
)
