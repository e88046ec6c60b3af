"""Credentials, limits and profiles the simulated departments run with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimulatorSettings:
    """What each simulated department expects from its client; the defaults match the hub's own.

    `noise` (`clean`, `realistic`, `hostile`) and `faults` (`none`, `flaky`, `hostile`) name the
    profiles in `hub.simulator.profiles`; the defaults serve exactly the contracts' shapes.
    """

    public_security_client_id: str = "hub"
    public_security_client_secret: str = "hub-secret"
    public_security_token_ttl_seconds: float = 300
    civil_affairs_api_key: str = "hub-civil-key"
    justice_username: str = "hub"
    justice_password: str = "hub-justice"
    petitions_token: str = "hub-petitions-token"
    # Generous: a polite client never meets it, a runaway loop does.
    petitions_requests_per_second: int = 50
    noise: str = "clean"
    faults: str = "none"
    # A slow response waits this long: beyond a client's read timeout, short enough for tests.
    fault_slow_seconds: float = 2.0
    fault_retry_after_seconds: int = 1
    # Where the server appends one JSON line per injected fault (None: kept in memory only).
    fault_log_path: str | None = None
    # A folder holding `state.json` (see `hub.simulator.timeline`): `hub simulate advance` moves
    # the simulated day there and a running server picks it up on its next request.
    state_dir: str | None = None
