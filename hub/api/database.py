"""One database session per GraphQL operation, and admission so that it never waits for the pool.

Every read of an operation (its loaders' batches, its services, the access log it writes) shares one
session, opened at the first read and closed when the operation ends (`OperationSession`). Measured
on the benchmark (bench/graphql.py, PostgreSQL): a session per loader batch cost a pool checkout with
its pre-ping, a BEGIN and a ROLLBACK around each statement, and the rollbacks made psycopg forget the
statements it had prepared; for the case view that was half of its time.

An operation now holds its connection across awaits, and the pool's checkout blocks the event loop's
thread: with more operations in flight than connections, the next checkout would stop the very
operations that could give one back. So the server admits at most `admission_limit(engine)`
operations at a time, and the others wait, asynchronously, for a place.

The session's connection runs in autocommit: at PostgreSQL's READ COMMITTED every statement takes
its own snapshot anyway, so a transaction around an operation's reads only cost two round trips,
its `BEGIN` and its `COMMIT`; the access log's one `INSERT` commits by itself, before the answer
leaves. In autocommit there is no transaction of SQLAlchemy's to keep track of, so the loaders'
statements run straight on psycopg's cursor (`hub.db.driver_reads`).
"""

from __future__ import annotations

import asyncio
import select
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool
from strawberry.extensions import SchemaExtension

from hub.db.engine import make_engine, normalise_url


class RequestSession:
    """The operation's session, opened at its first use and given back by `close`.

    `admission`, shared by the server's operations, bounds how many hold a session at once.
    """

    def __init__(self, sessions: sessionmaker[Session], admission: asyncio.Semaphore | None = None) -> None:
        self._sessions = sessions
        self.admission = admission
        self._session: Session | None = None

    def get(self) -> Session:
        """The session, opened now if this is the operation's first read."""
        if self._session is None:
            session = self._sessions()
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            self._session = session
        return self._session

    def close(self) -> None:
        """Free the operation's connection (in autocommit, closing sends nothing to the server)."""
        if self._session is None:
            return
        session, self._session = self._session, None
        session.close()


class OperationSession(SchemaExtension):
    """Admits the operation, and gives its connection back when it ends, whatever the outcome.

    Listed before the extensions that read or write when the operation ends (the access audit): exit
    hooks run in reverse order, so theirs run first, on the still-open session.
    """

    async def on_operation(self) -> AsyncIterator[None]:
        database = getattr(self.execution_context.context, "database", None)
        if not isinstance(database, RequestSession):
            yield
            return
        if database.admission is not None:
            await database.admission.acquire()
        try:
            yield
        finally:
            database.close()
            if database.admission is not None:
                database.admission.release()


def admission_limit(engine: Engine) -> int | None:
    """How many operations may hold a connection at once without a checkout ever waiting.

    A queue pool's own size, which leaves its overflow to short users such as the health check; a
    pool that opens a connection per checkout needs no limit; any other pool (SQLite's one connection
    per thread) admits one operation at a time.
    """
    pool = engine.pool
    if isinstance(pool, QueuePool):
        return pool.size()
    if isinstance(pool, NullPool):
        return None
    return 1


def api_engine(url: str) -> Engine:
    """The API's engine for `url`: on PostgreSQL, a pooled connection is checked without a round trip.

    `pool_pre_ping` sends a query at every checkout, that is once per operation. When PostgreSQL
    restarts or ends a session, it closes the connection's socket, which then reads as ready while
    the connection is idle: `_closed_by_server` sees that at checkout, and the pool replaces the
    connection. Other backends get the hub's usual engine.
    """
    normalised = normalise_url(url)
    if make_url(normalised).get_backend_name() != "postgresql":
        return make_engine(url)
    engine = create_engine(normalised)
    event.listen(engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection its server has closed (or spoken on while idle, which a pooled
    connection never expects): the pool discards it and checks out another."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection or sent an unexpected message")
