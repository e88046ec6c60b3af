"""One run of every asset with each step in a process of its own (`run_all_assets(processes=N)`).

`run_all_assets` starts this module with the hub's settings in its environment (`Settings.environment`),
so no secret passes through the run's stored configuration. Dagster's multiprocess executor forks
every step's process from a forkserver that has imported this module: the job, its definitions
and Great Expectations are built and imported once per run instead of once per step (3.5 s a step
without it). The caller finds the run by its invocation tag and reads its outcome from
the Dagster instance.
"""

from __future__ import annotations

import argparse

from dagster import JobDefinition, build_reconstructable_job, execute_job

from hub.config import get_settings
from pipelines.definitions import defs
from pipelines.runner import INVOCATION_TAG, dagster_instance, run_config

MODULE = "pipelines.worker"
# Imported by the forkserver before it forks: this module (the job, its definitions and what they
# import), the storage every step opens the Dagster instance with, and Great Expectations for the
# quality suites' steps.
PRELOADED = [MODULE, "dagster._core.storage.sqlite_storage", "alembic.script", "great_expectations"]
INGEST_JOB = defs.resolve_job_def("ingest_all")


def ingest_job() -> JobDefinition:
    """The job of every asset and check, as each step's process rebuilds it."""
    return INGEST_JOB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("invocation", help="the tag value the caller finds the run by")
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--full-reload", action="store_true")
    args = parser.parse_args()
    with dagster_instance(get_settings()) as instance:
        execute_job(
            build_reconstructable_job(MODULE, ingest_job.__name__),
            instance=instance,
            run_config=run_config(full_reload=args.full_reload, processes=args.processes, preload=PRELOADED),
            tags={INVOCATION_TAG: args.invocation},
            raise_on_error=False,
        )
