"""Alembic environment: the URL comes from the caller (hub.db.migrate) or the hub's settings."""

from __future__ import annotations

from alembic import context

from hub.config import get_settings
from hub.db.engine import make_engine
from hub.db.migrate import include_object
from hub.warehouse.models import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
connection = config.attributes.get("connection")


def run_migrations(connection_: object) -> None:
    context.configure(
        connection=connection_,  # type: ignore[arg-type]
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        include_object=include_object(connection_.dialect.name),  # type: ignore[attr-defined]
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(url)
    with engine.connect() as conn:
        run_migrations(conn)
    engine.dispose()
