"""The Dagster instance's event log on SQLite, keeping an engine per database file.

Dagster's `SqliteEventLogStorage` creates an engine, opens a connection and disposes of both for
every event it stores, and each commit waits for the disk: a daily run at 1,000,000 persons spent
about a fifth of its wall time there (py-spy: 18 s of 92, most of it in `_connect`), and a run of 26
trivial assets with a check each took 4.2 s instead of 1.2 s. This storage keeps the engines of the
files it used last (a run's own file and the index) and commits with `synchronous=NORMAL`, which in
WAL mode stays consistent when a process dies and may lose only the last events if the machine
does. The files, their layout and their schema are Dagster's own: the UI reads them as ever.

`pipelines.runner.dagster_instance` names it in a new Dagster home's `dagster.yaml`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection, Engine, create_engine, event

# A process writes one run at a time, and reads a few (the UI): more files than this are closed.
KEPT_ENGINES = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with an engine kept per shard instead of one made per event."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Dagster holds its lock for the whole use of a connection; so does this.
        with self._db_lock, self._engine(shard).connect() as connection, connection.begin():
            yield connection

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            # Used under the lock, from whichever thread (the run's, the progress display's).
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(engine, "connect", _commit_without_waiting_for_the_disk)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_ENGINES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def wipe(self) -> None:
        """Close every file before Dagster deletes the runs' files."""
        self._dispose_engines()
        super().wipe()

    def upgrade(self) -> None:
        """Migrate every file, then open them afresh (Dagster initialises each again)."""
        super().upgrade()
        self._dispose_engines()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


def _commit_without_waiting_for_the_disk(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")
