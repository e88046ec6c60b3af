"""The golden county and the real simulator on loopback, shared by the source tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from hub.simulator import County, SimulatorSettings
from hub.simulator.server import running_simulator
from hub.sources.http import RetryPolicy

# Tests retry like production but without waiting long between attempts.
FAST_RETRY = RetryPolicy(total=3, backoff_factor=0.01, backoff_jitter=0.01, backoff_max=0.1)
SETTINGS = SimulatorSettings()


class MovableClock:
    """Monotonic time that a test can move forward, shared by the simulator and a client.

    It runs with real time (the petitions rate limit needs seconds to pass) plus a jump offset, so
    a token's expiry is reached without sleeping.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


@dataclass(frozen=True, slots=True)
class Simulator:
    base_url: str
    clock: MovableClock
    settings: SimulatorSettings

    def url(self, department_path: str) -> str:
        return f"{self.base_url}/{department_path}"


@pytest.fixture(scope="session")
def simulator(golden_county: County) -> Iterator[Simulator]:
    """The golden county served over loopback HTTP for the whole session."""
    clock = MovableClock()
    with running_simulator(county=golden_county, settings=SETTINGS, clock=clock) as base_url:
        yield Simulator(base_url=base_url, clock=clock, settings=SETTINGS)
