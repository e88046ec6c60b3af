"""Running every asset in-process (`hub pipeline run`, `hub demo`, tests), with a progress display.

One Dagster run materialises the assets in dependency order and is recorded in the instance under
`DAGSTER_HOME`, so `make dagster` shows it afterwards. Progress is read from that run's events while
it executes on a worker thread.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

from dagster import DagsterEventType, DagsterInstance, RunsFilter, materialize
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hub.config import Settings
from pipelines.assets.persons import person_resolution
from pipelines.definitions import all_assets, all_checks, stage_assets
from pipelines.resources import resources_from_settings

POLL_SECONDS = 1.0
# Government networks are air-gapped: Dagster must not try to send usage statistics. Each
# department's assets share a pool named after it, and one asset per department runs at a time
# across all runs, so that no department (the petitions API rate-limits) sees concurrent readers.
INSTANCE_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


@dataclass(frozen=True)
class PipelineRunResult:
    run_id: str
    success: bool
    metadata: dict[str, dict[str, Any]]  # asset key → its materialisation metadata
    checks: dict[str, bool]  # "asset:check" → passed


def dagster_instance(settings: Settings) -> DagsterInstance:
    """The persistent Dagster instance under the settings' DAGSTER_HOME (created on demand)."""
    home = settings.resolved_dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML, encoding="utf-8")
    # From the folder itself, not from the DAGSTER_HOME variable: one process (a test run) may
    # use several homes, and settings read that variable.
    return DagsterInstance.from_config(str(home))


def run_all_assets(
    *, settings: Settings, console: Console | None = None, full_reload: bool = False
) -> PipelineRunResult:
    """Materialise every asset once against the configured departments and warehouse.

    `full_reload` reads every source from the start and processes every record again, and resolution
    weighs every mention again.
    """
    instance = dagster_instance(settings)
    invocation = uuid.uuid4().hex
    outcome: dict[str, Any] = {}

    def execute() -> None:
        try:
            outcome["result"] = materialize(
                [*all_assets, *all_checks],
                instance=instance,
                resources=resources_from_settings(settings),
                tags={"hub/invocation": invocation},
                # The run's events are kept in the instance; the console shows progress and warnings.
                run_config={
                    "loggers": {"console": {"config": {"log_level": "WARNING"}}},
                    "ops": {
                        **{a.op.name: {"config": {"full_reload": full_reload}} for a in stage_assets},
                        person_resolution.op.name: {"config": {"full": full_reload}},
                    },
                },
                raise_on_error=False,
            )
        except Exception as error:  # handed to the caller's thread, re-raised there
            outcome["error"] = error

    worker = threading.Thread(target=execute, name="hub-pipeline-run")
    worker.start()
    _show_progress(worker, instance, invocation, console or Console(quiet=True))
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    metadata = {
        event.asset_key.to_user_string(): {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }
    checks = {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
        for e in result.get_asset_check_evaluations()
    }
    return PipelineRunResult(run_id=result.run_id, success=result.success, metadata=metadata, checks=checks)


def _show_progress(
    worker: threading.Thread, instance: DagsterInstance, invocation: str, console: Console
) -> None:
    # Reads only the events since the last poll: re-reading the run's whole event log four times a
    # second took a tenth of the pipeline's samples (py-spy, households publish at 1,000,000 persons).
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("materialising assets", total=len(all_assets))
        run_id: str | None = None
        cursor: str | None = None
        done = 0
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            if run_id is None:
                runs = instance.get_runs(filters=RunsFilter(tags={"hub/invocation": invocation}), limit=1)
                if not runs:
                    continue
                run_id = runs[0].run_id
            latest = instance.get_records_for_run(
                run_id,
                cursor=cursor,
                of_type={DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.STEP_START},
            )
            cursor = latest.cursor
            types = [r.event_log_entry.dagster_event_type for r in latest.records]
            done += types.count(DagsterEventType.ASSET_MATERIALIZATION)
            started = [
                r
                for r in latest.records
                if r.event_log_entry.dagster_event_type is DagsterEventType.STEP_START
            ]
            if started:
                progress.update(task, description=f"materialising {started[-1].event_log_entry.step_key}")
            progress.update(task, completed=done)
        progress.update(task, completed=len(all_assets), description="assets materialised")
