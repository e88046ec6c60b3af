"""The simulator's one Starlette app: five department systems under their path prefixes."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.applications import Starlette

from hub.simulator.departments import civil_affairs, justice, petitions, public_security, registry
from hub.simulator.model import County
from hub.simulator.settings import SimulatorSettings


def create_app(
    *, county: County, settings: SimulatorSettings, clock: Callable[[], float] = time.monotonic
) -> Starlette:
    """Serve `county` as the departments do; payloads are built once, here, so requests only slice.

    `clock` (monotonic seconds) drives token expiry and the petitions rate limit; tests pass a
    hand-moved clock so that expiry is checked without sleeping.
    """
    return Starlette(
        routes=[
            registry.routes(county=county),
            public_security.routes(county=county, settings=settings, clock=clock),
            civil_affairs.routes(county=county, settings=settings),
            justice.routes(county=county, settings=settings),
            petitions.routes(county=county, settings=settings, clock=clock),
        ]
    )
