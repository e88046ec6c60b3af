"""Running every asset against the simulated departments: complete, reconciled, idempotent."""

from __future__ import annotations

import os
from pathlib import Path

from hub.simulator.model import County
from hub.simulator.server import running_simulator
from pipelines.definitions import all_assets, stage_assets
from pipelines.runner import dagster_instance, default_processes, run_all_assets, step_intervals
from tests.conftest import LoadedWarehouse
from tests.support.snapshot import warehouse_rows
from tests.support.warehouse import hub_settings, ingest_county

READS = {
    "grid_registry",
    "public_security_households",
    "public_security_incidents",
    "civil_affairs_benefits",
    "civil_affairs_assistance",
    "civil_affairs_household_ratings",
    "civil_affairs_moral_points",
    "justice_mediation_cases",
    "justice_correction_subjects",
    "petitions_feed",
}
# Each read is two assets: staging (fetch, land, map, stage) and publishing.
STREAM_ASSETS = READS | {f"staging/{read}" for read in READS}


def test_every_asset_materialises_and_every_stream_reconciles(golden_load: LoadedWarehouse) -> None:
    result = golden_load.result

    assert result.success
    assert set(result.metadata) == {a.key.to_user_string() for a in all_assets}
    assert {f"{asset}:reconciles" for asset in STREAM_ASSETS} <= set(result.checks)
    assert all(result.checks.values()), result.checks


def test_households_are_published_one_for_one(golden_county: County, golden_load: LoadedWarehouse) -> None:
    result = golden_load.result

    staged = result.metadata["staging/public_security_households"]
    assert staged["households.fetched"] == staged["households.staged"] == len(golden_county.households)
    assert staged["households.quarantined"] == 0
    published = result.metadata["public_security_households"]
    assert published["households.taken"] == published["households.published"] == len(golden_county.households)
    assert published["households.quarantined"] == published["households.carried_over"] == 0
    rows = warehouse_rows(golden_load.url)
    assert len(rows["households"]) == len(golden_county.households)
    assert len(rows["household_members"]) == len(golden_county.persons)


def test_second_run_changes_no_row(golden_county: County, loaded_database_url: str, tmp_path: Path) -> None:
    before = warehouse_rows(loaded_database_url)

    result = ingest_county(county=golden_county, database_url=loaded_database_url, var_dir=tmp_path)

    assert result.success
    assert warehouse_rows(loaded_database_url) == before
    for asset, metadata in result.metadata.items():
        written = {k: v for k, v in metadata.items() if ".written." in k and v}
        assert not written, (asset, written)


def test_second_run_reads_from_the_watermark_and_publishes_nothing(
    golden_county: County, loaded_database_url: str, tmp_path: Path
) -> None:
    result = ingest_county(county=golden_county, database_url=loaded_database_url, var_dir=tmp_path)

    households = result.metadata["staging/public_security_households"]
    # Only what changed at or after the latest change already loaded is read again, and it is unchanged.
    assert 0 < households["households.fetched"] < len(golden_county.households)
    assert households["households.unchanged"] == households["households.fetched"]
    for asset in READS:
        staged = {k: v for k, v in result.metadata[f"staging/{asset}"].items() if k.endswith(".staged")}
        published = {k: v for k, v in result.metadata[asset].items() if k.endswith(".published")}
        assert not any(staged.values()) and not any(published.values()), (asset, staged, published)


def test_full_reload_reprocesses_everything_and_still_changes_no_row(
    golden_county: County, loaded_database_url: str, tmp_path: Path
) -> None:
    before = warehouse_rows(loaded_database_url)

    result = ingest_county(
        county=golden_county, database_url=loaded_database_url, var_dir=tmp_path, full_reload=True
    )

    assert result.metadata["staging/public_security_households"]["households.unchanged"] == 0
    households = result.metadata["public_security_households"]
    assert households["households.published"] == len(golden_county.households)
    petitions = result.metadata["petitions_feed"]
    assert petitions["petitions.published"] == len(golden_county.petitions)
    assert warehouse_rows(loaded_database_url) == before


def test_steps_in_processes_of_their_own_load_the_same_warehouse_one_read_per_department_at_a_time(
    golden_county: County, golden_load: LoadedWarehouse, database_url: str, tmp_path: Path
) -> None:
    with running_simulator(county=golden_county) as url:
        settings = hub_settings(database_url=database_url, var_dir=tmp_path / "var", simulator_url=url)
        result = run_all_assets(settings=settings, processes=2)

    assert result.success
    assert result.checks == golden_load.result.checks
    for asset in STREAM_ASSETS:
        assert result.metadata[asset] == golden_load.result.metadata[asset], asset
    counts = {table: len(rows) for table, rows in warehouse_rows(database_url).items()}
    assert counts == {table: len(rows) for table, rows in warehouse_rows(golden_load.url).items()}
    ran = step_intervals(dagster_instance(settings), result.run_id)
    assert any(_overlap(a, b) for a in ran.values() for b in ran.values() if a is not b), "steps ran at once"
    pools: dict[str, list[tuple[float, float]]] = {}
    for asset in stage_assets:
        pools.setdefault(str(asset.op.pool), []).append(ran[asset.op.name])
    for pool, intervals in pools.items():
        assert not any(_overlap(a, b) for a in intervals for b in intervals if a is not b), pool


def test_a_first_load_or_full_reload_into_postgresql_runs_a_step_per_core_and_a_daily_run_in_process(
    backend: str, database_url: str, loaded_template: str, tmp_path: Path
) -> None:
    # SQLite lets one connection write at a time: its runs stay in-process.
    fanned_out = (os.cpu_count() or 1) if backend == "postgresql" else 1
    empty = hub_settings(database_url=database_url, var_dir=tmp_path)
    loaded = hub_settings(database_url=loaded_template, var_dir=tmp_path)

    assert default_processes(empty) == fanned_out
    assert default_processes(loaded) == 1
    assert default_processes(loaded, full_reload=True) == fanned_out


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
