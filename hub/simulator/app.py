"""The simulator's one Starlette app: five department systems under their path prefixes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.simulator.catalog import ServedCounty, serve_county
from hub.simulator.departments import civil_affairs, justice, petitions, public_security, registry
from hub.simulator.departments.listing import Listed
from hub.simulator.faults import FaultInjector
from hub.simulator.model import County
from hub.simulator.profiles import FaultProfile, fault_profile, noise_profile
from hub.simulator.settings import SimulatorSettings
from hub.simulator.snapshot import Snapshot
from hub.simulator.timeline import STATE_FILE, advance_county, read_days


def create_app(
    *, county: County, settings: SimulatorSettings, clock: Callable[[], float] = time.monotonic
) -> Starlette:
    """Serve `county` as the departments do, under `settings.noise` and `settings.faults`.

    Payloads are built once, here, so requests only slice. `clock` (monotonic seconds) drives token
    expiry and the petitions rate limit; tests pass a hand-moved clock so that expiry is checked
    without sleeping. `app.state.served` holds the served county (records and injected defects),
    `app.state.fault_log` every fault injected so far.
    """
    faults = fault_profile(settings.faults)
    noise = noise_profile(settings.noise)
    days = read_days(settings.state_dir) if settings.state_dir else 0
    served = serve_county(advance_county(county, days=days), noise=noise)
    fault_log: list[dict[str, Any]] = []
    middleware = []
    if settings.state_dir:
        middleware.append(Middleware(_StateFollower, state_dir=settings.state_dir, days=days))
    middleware += _fault_middleware(county.seed, faults, settings, fault_log)
    app = Starlette(routes=department_routes(served, settings=settings, clock=clock), middleware=middleware)
    app.state.served = served
    app.state.fault_log = fault_log

    def move_to(new_days: int) -> None:
        moved = serve_county(advance_county(county, days=new_days), noise=noise)
        app.router.routes = department_routes(moved, settings=settings, clock=clock)
        app.state.served = moved

    app.state.move_to = move_to
    return app


def create_app_from_snapshot(
    *, snapshot: Snapshot, settings: SimulatorSettings, clock: Callable[[], float] = time.monotonic
) -> Starlette:
    """Serve a snapshot's records (see `snapshot`): the bytes `create_app` serves for its county.

    The snapshot fixes the noise and the simulated day, so `settings.noise` and `settings.state_dir`
    are not consulted; faults apply as usual.
    """
    fault_log: list[dict[str, Any]] = []
    middleware = _fault_middleware(snapshot.seed, fault_profile(settings.faults), settings, fault_log)
    now = dt.datetime.fromisoformat(snapshot.manifest["sim_now"])
    routes = department_records_routes(snapshot.records, now=now, settings=settings, clock=clock)
    app = Starlette(routes=routes, middleware=middleware)
    app.state.fault_log = fault_log
    return app


def _fault_middleware(
    seed: int, faults: FaultProfile, settings: SimulatorSettings, fault_log: list[dict[str, Any]]
) -> list[Middleware]:
    if faults.is_none:
        return []
    return [
        Middleware(
            FaultInjector,
            seed=seed,
            profile=faults,
            slow_seconds=settings.fault_slow_seconds,
            retry_after_seconds=settings.fault_retry_after_seconds,
            log=fault_log,
            log_path=settings.fault_log_path,
        )
    ]


class _StateFollower:
    """Serves the day `state.json` names: checks its modification time per request, rebuilds on change.

    Rebuilding replaces the department routes, so tokens issued before are forgotten (a client
    renews, as after any restart of the bureau's token service).
    """

    def __init__(self, app: ASGIApp, *, state_dir: str, days: int) -> None:
        self.app = app
        self._path = Path(state_dir) / STATE_FILE
        self._days = days
        self._stamp = self._mtime()

    def _mtime(self) -> int | None:
        try:
            return self._path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (stamp := self._mtime()) != self._stamp:
            self._stamp = stamp
            days = read_days(self._path.parent)
            if days != self._days:
                self._days = days
                scope["app"].state.move_to(days)
        await self.app(scope, receive, send)


def department_routes(
    served: ServedCounty, *, settings: SimulatorSettings, clock: Callable[[], float]
) -> list[BaseRoute]:
    """The five departments' mounts serving `served`."""
    return department_records_routes(served.records, now=served.county.now, settings=settings, clock=clock)


def department_records_routes(
    records: Mapping[str, list[Listed]],
    *,
    now: dt.datetime,
    settings: SimulatorSettings,
    clock: Callable[[], float],
) -> list[BaseRoute]:
    """The five departments' mounts serving each stream's records (keyed by stream name) as of the
    simulated moment `now`."""
    return [
        registry.routes(
            divisions=records["divisions"],
            grids=records["grids"],
            grid_workers=records["grid_workers"],
            addresses=records["addresses"],
            now=now,
        ),
        public_security.routes(
            households=records["households"], incidents=records["incidents"], settings=settings, clock=clock
        ),
        civil_affairs.routes(
            benefits=records["benefits"],
            assistance=records["assistance"],
            ratings=records["household_ratings"],
            moral_points=records["moral_points"],
            settings=settings,
        ),
        justice.routes(
            mediations=records["mediations"], corrections=records["corrections"], settings=settings
        ),
        petitions.routes(versions=records["petitions"], settings=settings, clock=clock),
    ]
