"""Settings, read once from `HUB_*` environment variables (and `.env`), typed.

Each department's URL defaults to a path under `HUB_SIMULATOR_URL`, so a laptop needs one variable;
production sets each department's own URL and credentials.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# Signs development tokens only: production refuses to start with it (hub.api.app.create_app).
DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything the hub reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default a SQLite file under var/"
    )
    dagster_home: Path | None = Field(default=None, validation_alias="DAGSTER_HOME")

    simulator_url: str = "http://127.0.0.1:8700"
    public_security_url: str | None = None
    public_security_client_id: str = "hub"
    public_security_client_secret: SecretStr = SecretStr("hub-secret")
    civil_affairs_url: str | None = None
    civil_affairs_api_key: SecretStr = SecretStr("hub-civil-key")
    justice_url: str | None = None
    justice_username: str = "hub"
    justice_password: SecretStr = SecretStr("hub-justice")
    petitions_url: str | None = None
    petitions_token: SecretStr = SecretStr("hub-petitions-token")
    registry_url: str | None = None
    source_timeout_seconds: float = 30.0

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_JWT_SECRET)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite default under `var/`."""
        return self.database_url or f"sqlite:///{self.var_dir / 'hub.sqlite3'}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolved_dagster_home(self) -> Path:
        return self.dagster_home or self.var_dir / "dagster"

    def department_url(self, department: str) -> str:
        """Base URL of one department: its own setting, else its path under the simulator."""
        own: str | None = getattr(self, f"{department}_url")
        return own or f"{self.simulator_url.rstrip('/')}/{department.replace('_', '-')}"

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    def environment(self) -> dict[str, str | None]:
        """These settings as the variables a child process reads them from (`HUB_*`, `DAGSTER_HOME`),
        secrets included; None for a setting left unset, whose variable the child must not inherit.
        Passed in the environment rather than as arguments, so that no run record stores a secret."""
        variables: dict[str, str | None] = {}
        for name, field in type(self).model_fields.items():
            alias = field.validation_alias
            variable = alias if isinstance(alias, str) else f"HUB_{name.upper()}"
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            variables[variable] = None if value is None else str(value)
        return variables


@cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings(...)` instead."""
    return Settings()
