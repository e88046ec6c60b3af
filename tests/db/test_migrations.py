"""Migrations build the schema the models describe, identically on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from hub.db.engine import make_engine
from hub.db.migrate import pending_differences, upgrade
from hub.warehouse.models import metadata
from tests.support.databases import template_database


def test_upgrade_of_empty_database_matches_models(backend: str, tmp_path: Path) -> None:
    with template_database(backend, tmp_path, migrate=False) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            assert set(metadata.tables) <= set(inspect(engine).get_table_names())
            assert pending_differences(engine) == []
        finally:
            engine.dispose()


def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert pending_differences(engine) == []
    finally:
        engine.dispose()
