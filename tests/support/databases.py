"""Throw-away databases for tests: a migrated template per run, a fresh copy per test.

PostgreSQL databases are named after the run so that concurrent runs never collide, and are
dropped at the end. Outside CI a missing PostgreSQL skips its tests with the reason; with CI=true
it fails them, so that a green run always means both backends passed.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432"


def admin_url() -> str:
    return os.environ.get("HUB_TEST_PG_URL", DEFAULT_PG_URL).rstrip("/")


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(f"{admin_url()}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL at {admin_url()} is not reachable: {error}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def create_pg_database(name: str, template: str | None = None) -> str:
    with _admin_connection() as connection:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            # PostgreSQL copies only a template nobody is connected to. Engines the code under test
            # keeps alive (Great Expectations holds one per datasource) may still be connected to a
            # shared template; templates are test-only, so those sessions are ended.
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (template,),
            )
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        connection.execute(statement)
    return f"{admin_url()}/{name}"


def drop_pg_database(name: str) -> None:
    with _admin_connection() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_token() -> str:
    return f"{os.getpid()}_{uuid.uuid4().hex[:8]}"


@contextmanager
def template_database(backend: str, folder: Path, migrate: bool = True) -> Iterator[str]:
    """A database migrated to head, to copy from; yields its URL (SQLite file or PG database)."""
    from hub.db.migrate import upgrade

    if backend == "sqlite":
        url = f"sqlite:///{folder / 'template.sqlite3'}"
        if migrate:
            upgrade(url)
        yield url
        return
    name = f"hub_test_{run_token()}_template"
    url = create_pg_database(name)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        drop_pg_database(name)


@contextmanager
def copy_of(template_url: str, folder: Path) -> Iterator[str]:
    """A fresh database with the template's schema and contents, dropped afterwards."""
    if template_url.startswith("sqlite"):
        source = Path(template_url.removeprefix("sqlite:///"))
        target = folder / f"{uuid.uuid4().hex[:8]}.sqlite3"
        # SQLite's backup, not a file copy: in WAL mode the last commits may still sit in `-wal`.
        with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
            reader.backup(writer)
        yield f"sqlite:///{target}"
        return
    template = template_url.rsplit("/", 1)[1]
    name = f"hub_test_{run_token()}"
    url = create_pg_database(name, template=template)
    try:
        yield url
    finally:
        drop_pg_database(name)
