"""Quality fixtures: loaded and empty warehouses, and ingesting a county under a noise profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hub.db.engine import make_engine
from hub.simulator.model import County
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from pipelines.runner import PipelineRunResult, run_all_assets
from tests.support.warehouse import hub_settings


def ingest(county: County, database_url: str, var_dir: Path, noise: str) -> PipelineRunResult:
    with running_simulator(county=county, settings=SimulatorSettings(noise=noise)) as url:
        return run_all_assets(
            settings=hub_settings(database_url=database_url, var_dir=var_dir, simulator_url=url)
        )


@pytest.fixture
def loaded_engine(loaded_database_url: str) -> Iterator[Engine]:
    """The golden county (clean), loaded by the real pipelines, with no quality run recorded yet.

    The pipeline run that loaded it also ran the suites; the tests here start from a clean history.
    """
    engine = make_engine(loaded_database_url)
    with engine.begin() as connection:
        for table in ("dq_failures", "dq_results", "dq_reconciliation", "dq_runs"):
            connection.execute(text(f"DELETE FROM {table}"))
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty warehouse."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
