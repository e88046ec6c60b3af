"""The Dagster side: `data_quality` writes the report each run; a broken table fails a blocking check."""

from __future__ import annotations

from pathlib import Path

from dagster import materialize
from sqlalchemy import Engine, text

from hub.quality.suites import load_suites
from pipelines.quality import quality_assets
from pipelines.resources import resources_from_settings
from pipelines.runner import dagster_instance
from tests.support.warehouse import hub_settings


def _materialise(engine: Engine, var_dir: Path) -> tuple[dict[str, bool], Path]:
    settings = hub_settings(database_url=engine.url.render_as_string(hide_password=False), var_dir=var_dir)
    instance = dagster_instance(settings)
    result = materialize(
        quality_assets,
        instance=instance,
        resources=resources_from_settings(settings),
        raise_on_error=False,
    )
    reports = Path(instance.root_directory).resolve().parent / "reports" / "quality"
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}, reports


def test_data_quality_asset_writes_the_report_and_checks_pass(loaded_engine: Engine, tmp_path: Path) -> None:
    checks, reports = _materialise(loaded_engine, tmp_path)

    # One check per suite, and the sources' reconciliation.
    assert len(checks) == len(load_suites()) + 1 and all(checks.values()), checks
    assert (reports / "latest" / "report.html").is_file()


def test_a_structurally_broken_table_fails_its_blocking_check(loaded_engine: Engine, tmp_path: Path) -> None:
    with loaded_engine.begin() as connection:
        connection.execute(text("DELETE FROM grid_workers"))

    checks, _ = _materialise(loaded_engine, tmp_path)

    # The table is empty (a batch rule), and the registry's workers are no longer accounted for.
    assert checks["suite_grid_workers"] is False and checks["sources_reconcile"] is False
    assert all(
        passed for name, passed in checks.items() if name not in ("suite_grid_workers", "sources_reconcile")
    )
    assert all(spec.blocking for asset in quality_assets for spec in asset.check_specs)
