"""Quality fixtures: warehouses with the dq_* tables, and ingesting a county under a noise profile.

The dq_* tables are not in the migrations yet: until they are, these fixtures add them with
`metadata.create_all` on the test's own throw-away database (tests only, DESIGN §6).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.db.engine import make_engine
from hub.simulator.model import County
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from hub.warehouse.quality import models as dq
from pipelines.runner import PipelineRunResult, run_all_assets
from tests.support.warehouse import hub_settings

DQ_TABLES = [dq.DqRun.__table__, dq.DqResult.__table__, dq.DqFailure.__table__, dq.DqReconciliation.__table__]


def add_dq_tables(engine: Engine) -> None:
    dq.Base.metadata.create_all(engine, tables=DQ_TABLES, checkfirst=True)  # type: ignore[arg-type]


def ingest(county: County, database_url: str, var_dir: Path, noise: str) -> PipelineRunResult:
    with running_simulator(county=county, settings=SimulatorSettings(noise=noise)) as url:
        return run_all_assets(
            settings=hub_settings(database_url=database_url, var_dir=var_dir, simulator_url=url)
        )


@pytest.fixture
def loaded_engine(loaded_database_url: str) -> Iterator[Engine]:
    """The golden county (clean), loaded by the real pipelines, with the dq_* tables."""
    engine = make_engine(loaded_database_url)
    add_dq_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty warehouse with the dq_* tables."""
    engine = make_engine(database_url)
    add_dq_tables(engine)
    yield engine
    engine.dispose()
