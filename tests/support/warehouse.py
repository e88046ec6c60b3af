"""Building a warehouse the way production does: the simulator over HTTP, the real pipelines."""

from __future__ import annotations

from pathlib import Path

from hub.config import Settings
from hub.simulator.model import County
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from pipelines.runner import PipelineRunResult, run_all_assets


def hub_settings(*, database_url: str, var_dir: Path, simulator_url: str = "http://127.0.0.1:9") -> Settings:
    """Settings for a test: its own database and var folder (Dagster home), nothing from the environment."""
    return Settings(_env_file=None, database_url=database_url, var_dir=var_dir, simulator_url=simulator_url)  # type: ignore[call-arg]


def ingest_county(
    *, county: County, database_url: str, var_dir: Path, full_reload: bool = False
) -> PipelineRunResult:
    """Serve `county` on a loopback port and run every asset against it into `database_url`."""
    with running_simulator(county=county) as simulator_url:
        settings = hub_settings(database_url=database_url, var_dir=var_dir, simulator_url=simulator_url)
        return run_all_assets(settings=settings, full_reload=full_reload)


def ingest_noisy(county: County, database_url: str, var_dir: Path) -> PipelineRunResult:
    """Ingest `county` served with the simulator's realistic noise (typos, missing IDs, variants …)."""
    with running_simulator(county=county, settings=SimulatorSettings(noise="realistic")) as url:
        return run_all_assets(
            settings=hub_settings(database_url=database_url, var_dir=var_dir, simulator_url=url)
        )
