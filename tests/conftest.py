"""Fixtures every test can use: both backends, empty or holding the golden county, one per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.db.engine import make_engine
from hub.simulator.county import GOLDEN_SCALE, GOLDEN_SEED, generate_county
from hub.simulator.model import County
from pipelines.runner import PipelineRunResult
from tests.support.databases import copy_of, template_database
from tests.support.warehouse import ingest_county, ingest_noisy

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that needs a database runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with template_database(backend, tmp_path_factory.mktemp(f"db-{backend}")) as url:
        yield url


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of its own for one test."""
    with copy_of(migrated_template, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def golden_county() -> County:
    """The documented golden county (seed 20261126, 2,000 persons) from the simulator's generator."""
    return generate_county(seed=GOLDEN_SEED, scale=GOLDEN_SCALE)


@dataclass(frozen=True)
class LoadedWarehouse:
    """A migrated database the real pipelines filled, and what that run reported."""

    url: str
    result: PipelineRunResult


@pytest.fixture(scope="session")
def golden_load(
    backend: str, golden_county: County, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedWarehouse]:
    """The golden county ingested once per backend by the real pipelines, from the simulator over HTTP."""
    folder = tmp_path_factory.mktemp(f"loaded-{backend}")
    with template_database(backend, folder) as url:
        result = ingest_county(county=golden_county, database_url=url, var_dir=folder / "var")
        assert result.success, f"ingesting the golden county failed (run {result.run_id})"
        yield LoadedWarehouse(url, result)


@pytest.fixture(scope="session")
def loaded_template(golden_load: LoadedWarehouse) -> str:
    """The loaded golden-county warehouse, for tests that only read it."""
    return golden_load.url


@pytest.fixture
def loaded_database_url(loaded_template: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the loaded golden-county warehouse that one test may change."""
    with copy_of(loaded_template, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def noisy_load(
    backend: str, golden_county: County, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedWarehouse]:
    """The golden county served with realistic noise, ingested once per backend."""
    folder = tmp_path_factory.mktemp(f"noisy-{backend}")
    with template_database(backend, folder) as url:
        result = ingest_noisy(golden_county, url, folder / "var")
        assert result.success, f"ingesting the noisy golden county failed (run {result.run_id})"
        yield LoadedWarehouse(url, result)


@pytest.fixture
def noisy_database_url(noisy_load: LoadedWarehouse, tmp_path: Path) -> Iterator[str]:
    """A copy of the noisy golden-county warehouse that one test may change."""
    with copy_of(noisy_load.url, tmp_path) as url:
        yield url
