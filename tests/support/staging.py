"""Filling the staging tables the way a run's stage step does: the real clients, the real `stage`.

`stage_county` reads every stream of a simulator over HTTP with the departments' own clients and
stages what they send (landing, mapping, quarantine of what cannot be mapped), publishing nothing:
afterwards the `stg_*` tables hold exactly what a run would check before its publish step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing
from typing import Any

from sqlalchemy import Engine

from hub.simulator.settings import SimulatorSettings
from hub.sources.civil_affairs.client import CivilAffairsClient
from hub.sources.justice.client import JusticeClient
from hub.sources.petitions.client import PetitionsClient
from hub.sources.public_security.client import PublicSecurityClient
from hub.sources.registry.client import RegistryClient
from hub.warehouse.provenance import LoadRun
from pipelines.ingest import StageReport, stage
from pipelines.streams import STREAMS

# Each stream's payloads as the batches the pipeline stages them in: the petition feed batch by
# batch (a petition's versions are reduced to the latest within a batch), every other stream at once.
Batches = Callable[["_Clients"], Iterator[Iterable[Any]]]


class _Clients:
    """One client per department, on the simulator's paths, with the simulator's credentials."""

    def __init__(self, base_url: str, settings: SimulatorSettings, stack: ExitStack) -> None:
        base = base_url.rstrip("/")
        self.registry = stack.enter_context(closing(RegistryClient(f"{base}/registry")))
        self.public_security = stack.enter_context(
            closing(
                PublicSecurityClient(
                    f"{base}/public-security",
                    settings.public_security_client_id,
                    settings.public_security_client_secret,
                )
            )
        )
        self.civil_affairs = stack.enter_context(
            closing(CivilAffairsClient(f"{base}/civil-affairs", settings.civil_affairs_api_key))
        )
        self.justice = stack.enter_context(
            closing(JusticeClient(f"{base}/justice", settings.justice_username, settings.justice_password))
        )
        self.petitions = stack.enter_context(
            closing(PetitionsClient(f"{base}/petitions", settings.petitions_token))
        )


def _whole(read: Callable[[_Clients], Iterable[Any]]) -> Batches:
    return lambda clients: iter([read(clients)])


FETCHES: dict[tuple[str, str], Batches] = {
    ("registry", "divisions"): _whole(lambda c: c.registry.iter_divisions()),
    ("registry", "grids"): _whole(lambda c: c.registry.iter_grids()),
    ("registry", "grid_workers"): _whole(lambda c: c.registry.iter_grid_workers()),
    ("registry", "addresses"): _whole(lambda c: c.registry.iter_addresses()),
    ("public_security", "households"): _whole(lambda c: c.public_security.iter_households()),
    ("public_security", "incidents"): _whole(lambda c: c.public_security.iter_incidents()),
    ("civil_affairs", "benefits"): _whole(lambda c: c.civil_affairs.iter_benefits()),
    ("civil_affairs", "assistance"): _whole(lambda c: c.civil_affairs.iter_assistance()),
    ("civil_affairs", "household_ratings"): _whole(lambda c: c.civil_affairs.iter_household_ratings()),
    ("civil_affairs", "moral_points"): _whole(lambda c: c.civil_affairs.iter_moral_points()),
    ("justice", "mediation_cases"): _whole(lambda c: c.justice.iter_mediation_cases()),
    ("justice", "correction_subjects"): _whole(lambda c: c.justice.iter_correction_subjects()),
    ("petitions", "petitions"): lambda c: (batch.items for batch in c.petitions.iter_feed()),
}


def stage_county(
    *, engine: Engine, base_url: str, run: LoadRun, settings: SimulatorSettings | None = None
) -> dict[str, StageReport]:
    """Stage every stream of `pipelines.streams.STREAMS` from the simulator at `base_url`.

    Returns each stream's stage report by `department.stream`, every feed batch folded in. Nothing
    is published: the staging tables hold what a run's suites would check next.
    """
    missing = set(STREAMS) - set(FETCHES)
    if missing:
        raise KeyError(f"no client call to fetch {sorted(missing)}: add it to FETCHES")
    credentials = settings or SimulatorSettings()
    reports: dict[str, StageReport] = {}
    with ExitStack() as stack:
        clients = _Clients(base_url, credentials, stack)
        for key, stream in STREAMS.items():
            report = StageReport(stream=stream.key)
            for batch in FETCHES[key](clients):
                report.add(stage(engine=engine, run=run, stream=stream, payloads=batch))
            reports[stream.key] = report
    return reports
