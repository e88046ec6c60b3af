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
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import structlog
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool
from strawberry.extensions import SchemaExtension

log = structlog.get_logger(__name__)


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
            self._session = self._sessions()
        return self._session

    def close(self) -> None:
        """End the operation's transaction and free its connection.

        The transaction has only read (the access log commits its rows itself), so a commit ends it
        as a rollback would; but psycopg forgets the statements it prepared on a connection at every
        rollback, and each statement is then parsed and planned again on the next request.
        """
        if self._session is None:
            return
        session, self._session = self._session, None
        try:
            session.commit()
        except SQLAlchemyError as error:
            # What the operation read stands; the connection goes back to the pool rolled back.
            log.warning("api.read_commit_failed", error=str(error))
        finally:
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
