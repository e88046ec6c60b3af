"""Credentials and limits the simulated departments enforce."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimulatorSettings:
    """What each simulated department expects from its client; the defaults match the hub's own."""

    public_security_client_id: str = "hub"
    public_security_client_secret: str = "hub-secret"
    public_security_token_ttl_seconds: float = 300
    civil_affairs_api_key: str = "hub-civil-key"
    justice_username: str = "hub"
    justice_password: str = "hub-justice"
    petitions_token: str = "hub-petitions-token"
    # Generous: a polite client never meets it, a runaway loop does.
    petitions_requests_per_second: int = 50
