"""Running every asset (`hub pipeline run`, `hub demo`, tests), with a progress display.

One Dagster run materialises the assets in dependency order and is recorded in the instance under
`DAGSTER_HOME`, so `make dagster` shows it afterwards: in this process, or with each step in a process
of its own (`pipelines.worker`). Progress and the outcome are read from that run's events.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter, materialize
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hub.config import Settings
from hub.db.engine import make_engine, session_factory
from hub.quality.runner import prepare_in_background
from hub.warehouse.ingestion.service import has_loaded
from pipelines.assets.persons import person_resolution
from pipelines.definitions import all_assets, stage_assets
from pipelines.resources import resources_from_settings

POLL_SECONDS = 1.0
# Finds the run one call started, whichever process executes it.
INVOCATION_TAG = "hub/invocation"
WORKER_MAIN = "from pipelines.worker import main; main()"
# Government networks are air-gapped: Dagster must not try to send usage statistics. Each
# department's assets share a pool named after it, and one asset per department runs at a time
# across all runs, so that no department (the petitions API rate-limits) sees concurrent readers.
# A step's process reports its start on the console at the instance's level: warnings only, as the run.
# The event log is Dagster's SQLite one, keeping its files open (`pipelines.event_log`).
INSTANCE_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
python_logs:
  python_log_level: WARNING
event_log_storage:
  module: pipelines.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {event_logs}
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
        # Where Dagster's default SQLite storage keeps the runs' event logs.
        event_logs = json.dumps(str((home / "history" / "runs").resolve()))
        config.write_text(INSTANCE_YAML.format(event_logs=event_logs), encoding="utf-8")
    # From the folder itself, not from the DAGSTER_HOME variable: one process (a test run) may
    # use several homes, and settings read that variable.
    return DagsterInstance.from_config(str(home))


def run_all_assets(
    *, settings: Settings, console: Console | None = None, full_reload: bool = False, processes: int = 1
) -> PipelineRunResult:
    """Materialise every asset once against the configured departments and warehouse.

    `full_reload` reads every source from the start and processes every record again, and resolution
    weighs every mention again. With `processes` 1 the run executes in this process (tests, where a
    process per step would cost more than the steps); with more, it executes as production does, each
    step in a process of its own and up to `processes` at once (`pipelines.worker`), so that one
    department's read overlaps another's while each department's pool still admits one at a time.
    """
    if processes < 1:
        raise ValueError(f"processes must be at least 1, not {processes}")
    instance = dagster_instance(settings)
    invocation = uuid.uuid4().hex
    outcome: dict[str, Any] = {}

    def execute() -> None:
        try:
            if processes == 1:
                prepare_in_background()
                materialize(
                    all_assets,
                    instance=instance,
                    resources=resources_from_settings(settings),
                    tags={INVOCATION_TAG: invocation},
                    run_config=run_config(full_reload=full_reload),
                    raise_on_error=False,
                )
            else:
                _execute_in_worker(settings, invocation, full_reload=full_reload, processes=processes)
        except Exception as error:  # handed to the caller's thread, re-raised there
            outcome["error"] = error

    worker = threading.Thread(target=execute, name="hub-pipeline-run")
    worker.start()
    _show_progress(worker, instance, invocation, console or Console(quiet=True))
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return _result(instance, invocation)


def default_processes(settings: Settings, *, full_reload: bool = False) -> int:
    """How many steps `hub pipeline run` runs at once.

    One per core for a run that reads every source from the start (the first load, or a full reload)
    into PostgreSQL: its steps take minutes, and one department's read overlaps another's. One for a
    daily run, whose steps take seconds: a process per step costs about a second of Dagster's set-up
    and the run's longest chain of steps gains nothing (at 1,000,000 persons with 1.5 % changed: 77.5 s
    in step processes against 67.4 s in-process). One on SQLite, which lets one connection write at a
    time: steps in parallel would wait on each other's writes, and fail past its busy timeout.
    """
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        return 1
    if not full_reload:
        engine = make_engine(url)
        try:
            with session_factory(engine)() as session:
                if has_loaded(session=session):
                    return 1
        finally:
            engine.dispose()
    return os.cpu_count() or 1


def run_config(*, full_reload: bool, processes: int = 1, preload: list[str] | None = None) -> dict[str, Any]:
    """The run's configuration: the reads' and resolution's `full_reload`, warnings on the console,
    and, for `processes` above 1, the multiprocess executor, forking each step from a forkserver that
    has imported the `preload` modules."""
    config: dict[str, Any] = {
        # The run's events are kept in the instance; the console shows progress and warnings.
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        "ops": {
            **{a.op.name: {"config": {"full_reload": full_reload}} for a in stage_assets},
            person_resolution.op.name: {"config": {"full": full_reload}},
        },
    }
    if processes > 1:
        forkserver = {"forkserver": {"preload_modules": preload or []}}
        config["execution"] = {
            "config": {"multiprocess": {"max_concurrent": processes, "start_method": forkserver}}
        }
    return config


def _execute_in_worker(settings: Settings, invocation: str, *, full_reload: bool, processes: int) -> None:
    """Run `pipelines.worker` with the settings in its environment; its run is read from the instance."""
    environment = dict(os.environ)
    for variable, value in settings.environment().items():
        if value is None:
            environment.pop(variable, None)
        else:
            environment[variable] = value
    # Started with -c, not -m: multiprocessing re-imports a `__main__` module in every process it
    # starts, which would rebuild the job for every step.
    command = [sys.executable, "-c", WORKER_MAIN, invocation, "--processes", str(processes)]
    if full_reload:
        command.append("--full-reload")
    finished = subprocess.run(command, env=environment, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"the pipeline worker exited with status {finished.returncode}")


def _result(instance: DagsterInstance, invocation: str) -> PipelineRunResult:
    """The run's outcome as the instance recorded it: materialisations' metadata and checks' verdicts."""
    runs = instance.get_runs(filters=RunsFilter(tags={INVOCATION_TAG: invocation}), limit=1)
    if not runs:
        raise RuntimeError("the pipeline run was not recorded in the Dagster instance")
    run = runs[0]
    metadata: dict[str, dict[str, Any]] = {}
    checks: dict[str, bool] = {}
    for record in instance.get_records_for_run(run.run_id, limit=None).records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        if event.event_type is DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            key = materialization.asset_key.to_user_string()
            metadata[key] = {k: v.value for k, v in materialization.metadata.items()}
        elif event.event_type is DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            checks[f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"] = evaluation.passed
    success = run.status is DagsterRunStatus.SUCCESS
    return PipelineRunResult(run_id=run.run_id, success=success, metadata=metadata, checks=checks)


def step_intervals(instance: DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    """When each step of a run started and succeeded (epoch seconds), by step key."""
    started: dict[str, float] = {}
    intervals: dict[str, tuple[float, float]] = {}
    for record in instance.get_records_for_run(run_id, limit=None).records:
        entry = record.event_log_entry
        step = entry.step_key
        if step is None:
            continue
        if entry.dagster_event_type is DagsterEventType.STEP_START:
            started[step] = entry.timestamp
        elif entry.dagster_event_type is DagsterEventType.STEP_SUCCESS and step in started:
            intervals[step] = (started[step], entry.timestamp)
    return intervals


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
                runs = instance.get_runs(filters=RunsFilter(tags={INVOCATION_TAG: invocation}), limit=1)
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
