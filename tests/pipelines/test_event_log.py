"""The instance's event log: Dagster's SQLite files, written through engines kept open."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import AssetKey, DagsterEventType, DagsterInstance, asset, materialize

from hub.config import Settings
from pipelines.event_log import KEPT_ENGINES, PooledSqliteEventLogStorage
from pipelines.runner import dagster_instance


@asset
def parcel() -> int:
    return 1


def _instance(home: Path) -> DagsterInstance:
    return dagster_instance(Settings(_env_file=None, dagster_home=home))


def _open_run_files(storage: PooledSqliteEventLogStorage) -> set[str]:
    """The event-log files under the storage's folder this process holds open."""
    base = Path(storage._base_dir)
    opened = set()
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            target = Path(os.readlink(descriptor))
        except OSError:
            continue
        if target.parent == base and target.name.endswith(".db"):
            opened.add(target.name)
    return opened


def test_a_new_home_stores_events_where_dagster_and_its_ui_read_them(tmp_path: Path) -> None:
    instance = _instance(tmp_path)
    run = materialize([parcel], instance=instance)
    # Another process (the UI, `make dagster`) opens the home with its own instance.
    reader = DagsterInstance.from_config(str(tmp_path))
    types = {entry.dagster_event_type for entry in reader.all_logs(run.run_id)}
    latest = reader.get_latest_materialization_event(AssetKey("parcel"))
    instance.dispose()
    reader.dispose()

    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    assert (tmp_path / "history" / "runs" / f"{run.run_id}.db").exists()
    assert {DagsterEventType.RUN_SUCCESS, DagsterEventType.ASSET_MATERIALIZATION} <= types
    assert latest is not None and latest.run_id == run.run_id


def test_a_long_lived_process_keeps_only_the_latest_runs_files_open(tmp_path: Path) -> None:
    instance = _instance(tmp_path)
    storage = instance.event_log_storage
    assert isinstance(storage, PooledSqliteEventLogStorage)
    runs = [materialize([parcel], instance=instance).run_id for _ in range(KEPT_ENGINES + 2)]
    opened = _open_run_files(storage)
    instance.dispose()
    after_dispose = _open_run_files(storage)

    assert f"{runs[-1]}.db" in opened
    assert f"{runs[0]}.db" not in opened
    assert len(opened) <= KEPT_ENGINES
    assert after_dispose == set()


def test_a_wiped_event_log_stores_the_next_run_in_a_new_file(tmp_path: Path) -> None:
    instance = _instance(tmp_path)
    first = materialize([parcel], instance=instance).run_id
    instance.wipe()
    second = materialize([parcel], instance=instance)
    logged = {entry.dagster_event_type for entry in instance.all_logs(second.run_id)}
    instance.dispose()

    assert second.success
    assert not (tmp_path / "history" / "runs" / f"{first}.db").exists()
    assert DagsterEventType.RUN_SUCCESS in logged
