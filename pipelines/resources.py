"""Swappable resources: one per department client, and the warehouse.

Which endpoints and credentials they use comes from the hub's settings (`resources_from_settings`),
so the same assets run against the simulator on a laptop and the real systems in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import ConfigurableResource
from sqlalchemy import Engine

from hub.config import Settings
from hub.db.engine import make_engine
from hub.sources.civil_affairs.client import CivilAffairsClient
from hub.sources.justice.client import JusticeClient
from hub.sources.petitions.client import PetitionsClient
from hub.sources.public_security.client import PublicSecurityClient
from hub.sources.registry.client import RegistryClient
from pipelines.collection import batch_collection


class RegistryResource(ConfigurableResource[Any]):
    """综治中心 grid registry."""

    base_url: str
    timeout: float = 30.0

    def client(self) -> RegistryClient:
        return RegistryClient(self.base_url, self.timeout)


class PublicSecurityResource(ConfigurableResource[Any]):
    """公安: household register and incidents (OAuth2 client credentials)."""

    base_url: str
    client_id: str
    client_secret: str
    timeout: float = 30.0

    def client(self) -> PublicSecurityClient:
        return PublicSecurityClient(self.base_url, self.client_id, self.client_secret, self.timeout)


class CivilAffairsResource(ConfigurableResource[Any]):
    """民政: benefits and assistance applications (GBK CSV exports, API key)."""

    base_url: str
    api_key: str
    timeout: float = 30.0

    def client(self) -> CivilAffairsClient:
        return CivilAffairsClient(self.base_url, self.api_key, self.timeout)


class JusticeResource(ConfigurableResource[Any]):
    """司法: mediation cases and correction subjects (HTTP Basic)."""

    base_url: str
    username: str
    password: str
    timeout: float = 30.0

    def client(self) -> JusticeClient:
        return JusticeClient(self.base_url, self.username, self.password, self.timeout)


class PetitionsResource(ConfigurableResource[Any]):
    """信访: the petition change feed (token header, rate limited)."""

    base_url: str
    token: str
    timeout: float = 30.0

    def client(self) -> PetitionsClient:
        return PetitionsClient(self.base_url, self.token, self.timeout)


class WarehouseResource(ConfigurableResource[Any]):
    """The warehouse database the assets publish to."""

    database_url: str

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        """An engine for one asset's work, disposed when the asset is done; meanwhile the garbage
        collector runs rarely (`pipelines.collection`)."""
        with batch_collection():
            engine = make_engine(self.database_url)
            try:
                yield engine
            finally:
                engine.dispose()


def resources_from_settings(settings: Settings) -> dict[str, ConfigurableResource[Any]]:
    """Every resource the assets need, configured from the hub's settings."""
    timeout = settings.source_timeout_seconds
    return {
        "registry": RegistryResource(base_url=settings.department_url("registry"), timeout=timeout),
        "public_security": PublicSecurityResource(
            base_url=settings.department_url("public_security"),
            client_id=settings.public_security_client_id,
            client_secret=settings.public_security_client_secret.get_secret_value(),
            timeout=timeout,
        ),
        "civil_affairs": CivilAffairsResource(
            base_url=settings.department_url("civil_affairs"),
            api_key=settings.civil_affairs_api_key.get_secret_value(),
            timeout=timeout,
        ),
        "justice": JusticeResource(
            base_url=settings.department_url("justice"),
            username=settings.justice_username,
            password=settings.justice_password.get_secret_value(),
            timeout=timeout,
        ),
        "petitions": PetitionsResource(
            base_url=settings.department_url("petitions"),
            token=settings.petitions_token.get_secret_value(),
            timeout=timeout,
        ),
        "warehouse": WarehouseResource(database_url=settings.resolved_database_url),
    }
