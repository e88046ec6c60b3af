"""Run and check Alembic migrations from code (the CLI, tests and `make demo` all come here)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from hub.db.engine import normalise_url
from hub.warehouse.models import metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the hub's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs may contain encoded characters.
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (creating a SQLite file if needed)."""
    command.upgrade(alembic_config(url), revision)


def include_object(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's `include_object` for `dialect`: leaves out what the models build only elsewhere."""

    def include(object_: Any, _name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
        only = None if reflected or type_ != "index" else object_.info.get("only_on")
        return only is None or only == dialect

    return include


def pending_differences(engine: Engine) -> list[object]:
    """What autogenerate would still write: empty when models and migrations agree."""
    with engine.connect() as connection:
        options = {
            "compare_type": True,
            "render_as_batch": True,
            "include_object": include_object(connection.dialect.name),
        }
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, metadata))
