"""Benchmark: a full ingest of a simulated county, per stage, against a bulk-load floor.

    .venv/bin/python -m bench.pipeline [--scale 1000000] [--backend sqlite|postgresql|both]
                                       [--noise realistic] [--days 1] [--keep]
                                       [--snapshots DIR] [--save-full NAME | --incremental-from NAME]

The county is generated, and its snapshot and truth written, by `hub simulate` in processes of
their own, and the snapshot is served by `hub simulate serve --snapshot` in another, so this
process's peak RSS is the hub's (counted afresh for each backend's run). For each backend every
asset runs once into a new database, and the benchmark prints rows/s per asset, total wall time,
peak RSS and resolution F1 (from a truth folder, for scales up to --truth-limit, kept with the
snapshots). The floor loads the very rows the run published, table by table, with the backend's
fastest path (PostgreSQL COPY, SQLite executemany) into an empty copy of the schema in the same
run; the printed ratios are the publish stage's throughput (core rows the publish assets wrote, per
second of those assets) and the hub's end to end (fetch, land, stage, check, publish, resolve) to
that floor's. Then the county `--days` simulated days later is served and an incremental run reads
what changed: its wall time and the share of records that changed. Issue 5's targets are printed
beside the figures, never asserted.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, select, text

from hub.config import Settings
from hub.db.engine import make_engine, session_factory
from hub.db.migrate import upgrade
from hub.db.upsert import binary_copy_types
from hub.quality.resolution import resolution_scores
from hub.simulator.county import GOLDEN_SEED
from hub.simulator.snapshot import MANIFEST
from hub.warehouse.models import metadata
from pipelines.runner import dagster_instance, default_processes, run_all_assets, step_intervals

PG_ADMIN = os.environ.get("HUB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
TARGET_SECONDS, TARGET_RSS_MIB, TARGET_FLOOR_SHARE, TARGET_INCREMENTAL_SECONDS = 600, 2048, 1 / 3, 30


def reset_peak_rss() -> None:
    """Count this process's peak RSS afresh from now (Linux `clear_refs`): the floor and the F1
    scoring of one backend hold every row in memory, which the next backend's run must not be
    charged with (they took the second backend's printed peak to 8 GiB)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    """This process's peak RSS since the last `reset_peak_rss` (Linux `VmHWM`)."""
    return _status_kib(Path("/proc/self/status"), "VmHWM:") / 1024


def _status_kib(path: Path, field: str) -> int:
    """A `kB` field of a /proc file (`VmHWM:`, `Pss:` …); 0 when the process has gone."""
    try:
        text_ = path.read_text()
    except OSError:
        return 0
    line = next((line for line in text_.splitlines() if line.startswith(field)), None)
    return int(line.split()[1]) if line else 0


class HubMemory:
    """The peak memory of the hub's processes together, sampled while a run executes.

    With `--processes` above 1 the hub is this process, a worker and a step process per running step,
    forked from a forkserver that shares its modules with them: their proportional set sizes (PSS,
    shared pages counted once) are summed every `interval` seconds. The simulator's processes are
    not the hub's and are left out. The peak is at least this process's own exact peak (`VmHWM`).
    """

    def __init__(self, *, excluded: int, interval: float = 0.25) -> None:
        self._excluded = excluded
        self._interval = interval
        self._peak_kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="hub-memory", daemon=True)

    def __enter__(self) -> HubMemory:
        reset_peak_rss()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return max(self._peak_kib / 1024, peak_rss_mib())

    def _sample(self) -> None:
        while not self._done.wait(self._interval):
            total = sum(_status_kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss:") for pid in self._hub_pids())
            self._peak_kib = max(self._peak_kib, total)

    def _hub_pids(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # The parent's pid follows the command's name, which may hold spaces and parentheses.
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        pids, pending = [], [os.getpid()]
        while pending:
            pid = pending.pop()
            if pid != self._excluded:
                pids.append(pid)
                pending.extend(children.get(pid, []))
        return pids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_simulator(snapshot: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    hub = Path(sys.executable).with_name("hub")
    process = subprocess.Popen(
        [str(hub), "simulate", "serve", "--snapshot", str(snapshot), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the simulator exited") from None
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the simulator did not start within 10 minutes")


def new_database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN}/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def a_day_of_autovacuum(url: str) -> float:
    """Vacuum and analyze the warehouse, as autovacuum does in the day between two daily runs; returns
    the seconds it took.

    Timed at once, the incremental run would read a warehouse no vacuum has visited since the full
    load: every index look-up of a row then also reads its heap page to learn whether the row is
    visible (the visibility map is empty), which no daily run in the field meets. A copy made with
    `CREATE DATABASE … TEMPLATE` (`--incremental-from`) would never be vacuumed at all, since
    autovacuum counts the rows inserted per database and a copy starts at zero.
    """
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def covered_seconds(intervals: list[tuple[float, float]]) -> float:
    """The time during which at least one of `intervals` was running (steps may overlap)."""
    covered, reached = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reached:
            covered += end - max(start, reached)
            reached = end
    return covered


def bulk_floor(engine: Engine, backend: str, folder: Path) -> tuple[int, float]:
    """Rows published and the seconds the backend's bulk path takes to load exactly those rows."""
    floor_url = new_database(backend, folder)
    upgrade(floor_url)
    tables = [t for t in metadata.sorted_tables if t.name not in ("raw_records",)]
    rows_by_table: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in tables:
            rows_by_table[table.name] = [tuple(row) for row in connection.execute(select(table))]
    total = sum(len(rows) for rows in rows_by_table.values())
    started = time.perf_counter()
    if backend == "postgresql":
        dialect = engine.dialect
        with psycopg.connect(floor_url) as connection, connection.cursor() as cursor:
            for table in tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                # In binary where the hub's own loads are (`hub.db.upsert`): the floor is the fastest path.
                binary = binary_copy_types(table, tuple(c.name for c in table.columns), dialect)
                form = " (FORMAT BINARY)" if binary is not None else ""
                with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN{form}') as copy:
                    if binary is not None:
                        copy.set_types(list(binary))
                    for row in rows_by_table[table.name]:
                        copy.write_row(row)
    else:
        floor_engine = make_engine(floor_url)
        with floor_engine.begin() as connection:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            raw = connection.connection.driver_connection
            for table in tables:
                rows = rows_by_table[table.name]
                if rows:
                    # Columns by name: a migrated table's order is not the model's (added columns).
                    columns = ", ".join(f'"{c.name}"' for c in table.columns)
                    marks = ", ".join("?" for _ in table.columns)
                    raw.executemany(
                        f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', [_sqlite(r) for r in rows]
                    )
        floor_engine.dispose()
    seconds = time.perf_counter() - started
    drop_database(floor_url)
    return total, seconds


def _sqlite(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # sqlite3 takes ISO text for dates and times, as SQLAlchemy stores them.
    return tuple(
        v.isoformat(sep=" ") if hasattr(v, "hour") else (v.isoformat() if hasattr(v, "isoformat") else v)
        for v in row
    )


STAGE = "staging/"


def step_key(asset: str) -> str:
    """The Dagster step of an asset key as the run result names it (`staging/x` → `staging__x`)."""
    return asset.replace("/", "__")


def written_rows(result: Any, asset: str) -> int:
    """Core rows an asset wrote (its `<stream>.written.<table>` metadata)."""
    return sum(v for k, v in result.metadata[asset].items() if ".written." in k)


def counted(metadata_by_asset: dict[str, dict[str, Any]], *suffixes: str) -> list[int]:
    """The staging figures of a run whose names end with any of `suffixes` (`.fetched` …)."""
    return [
        v
        for asset, m in metadata_by_asset.items()
        if asset.startswith(STAGE)
        for k, v in m.items()
        if k.endswith(suffixes)
    ]


def print_assets(result: Any, intervals: dict[str, tuple[float, float]]) -> None:
    """One line per asset, in the order the steps started: its seconds, when it ran (from the run's
    first step: the longest chain shows), and the records it fetched (staging) or published."""
    origin = min((start for start, _ in intervals.values()), default=0.0)

    def ran(asset: str) -> tuple[float, float]:
        return intervals.get(step_key(asset), (origin, origin))

    for asset in sorted(result.metadata, key=lambda a: (ran(a)[0], a)):
        metadata_ = result.metadata[asset]
        fetched = sum(v for k, v in metadata_.items() if k.endswith(".fetched"))
        published = sum(v for k, v in metadata_.items() if k.endswith(".published"))
        start, end = ran(asset)
        seconds = end - start
        count, what = (fetched, "fetched") if asset.startswith(STAGE) else (published, "published")
        rate = f"{count / seconds:>10,.0f} records/s" if count and seconds else ""
        span = f"{start - origin:>6.0f}–{end - origin:<6.0f}"
        print(f"  {asset:<42} {seconds:>8.1f} s  {span} {count:>10,} {what:<9}  {rate}")


def simulate(command: str, out: Path, args: argparse.Namespace, *, days: int = 0) -> None:
    """`hub simulate <command>` in a process of its own, so that the county is not in this one."""
    hub = Path(sys.executable).with_name("hub")
    options = ["--out", str(out), "--seed", str(args.seed), "--scale", str(args.scale), "--noise", args.noise]
    subprocess.run([str(hub), "simulate", command, *options, "--days", str(days)], check=True)


def bench_backend(
    backend: str,
    snapshots: tuple[Path, Path],
    truth: Path | None,
    folder: Path,
    days: int,
    *,
    keep: bool,
    processes: int | None,
    save_full: str | None = None,
) -> None:
    database_url = new_database(backend, folder)
    process, simulator_url = start_simulator(snapshots[0])
    try:
        upgrade(database_url)
        settings = bench_settings(database_url, folder / f"var-{backend}", simulator_url)
        full_processes = processes or default_processes(settings)
        with HubMemory(excluded=process.pid) as memory:
            started = time.perf_counter()
            result = run_all_assets(settings=settings, processes=full_processes)
            wall = time.perf_counter() - started
        intervals = step_intervals(dagster_instance(settings), result.run_id)
        print(
            f"\n== {backend}: run {'succeeded' if result.success else 'FAILED'} in {wall:,.1f} s "
            f"(target < {TARGET_SECONDS} s), {full_processes} step(s) at once, "
            f"peak memory {memory.peak_mib:,.0f} MiB (target < {TARGET_RSS_MIB})"
        )
        print_assets(result, intervals)
        engine = make_engine(database_url)
        if truth is not None:
            with session_factory(engine)() as session:
                scores = resolution_scores(session=session, truth_dir=truth)
            print(
                f"  resolution: precision {scores.precision:.4f} recall {scores.recall:.4f} "
                f"F1 {scores.f1:.4f} (target ≥ 0.995) on {scores.traced:,} mentions"
            )
        rows, floor_seconds = bulk_floor(engine, backend, folder)
        engine.dispose()
        floor_path = "COPY" if backend == "postgresql" else "executemany"
        hub_rate, floor_rate = rows / wall, rows / floor_seconds
        publish_assets = [a for a in result.metadata if not a.startswith(STAGE) and written_rows(result, a)]
        publish_rows = sum(written_rows(result, a) for a in publish_assets)
        publish_seconds = covered_seconds([intervals[step_key(a)] for a in publish_assets])
        publish_rate = publish_rows / publish_seconds if publish_seconds else 0.0
        print(
            f"  floor: {rows:,} published rows by {floor_path} in {floor_seconds:.1f} s "
            f"({floor_rate:,.0f} rows/s)\n"
            f"  publish stage: {publish_rows:,} core rows written in {publish_seconds:,.1f} s "
            f"({publish_rate:,.0f} rows/s) = {publish_rate / floor_rate:.3f} of the floor "
            f"(target ≥ {TARGET_FLOOR_SHARE:.3f})\n"
            f"  end to end: {hub_rate:,.0f} rows/s = {hub_rate / floor_rate:.3f} of the floor"
        )
        process.terminate()
        process.wait(timeout=30)
        if backend == "postgresql":
            vacuumed = a_day_of_autovacuum(database_url)
            print(f"  the day between: VACUUM (ANALYZE) in {vacuumed:.1f} s (not counted)")
        if save_full and backend == "postgresql":
            copy_database(database_url, save_full)
            print(f"  saved the warehouse after the full run as {save_full} (for --incremental-from)")
        process = bench_incremental(
            settings, snapshots[1], days, first_loaded=landed_versions(result), processes=processes
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
        if keep and backend == "postgresql":
            print(f"  kept the warehouse: {database_url}")
        else:
            drop_database(database_url)


def bench_settings(database_url: str, var_dir: Path, simulator_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        var_dir=var_dir,
        simulator_url=simulator_url,
    )


def landed_versions(result: Any) -> int:
    """Record versions a run staged or quarantined: what it took in."""
    return sum(counted(result.metadata, ".staged", ".quarantined"))


def bench_incremental(
    settings: Settings, snapshot: Path, days: int, *, first_loaded: int | None, processes: int | None
) -> subprocess.Popen[bytes]:
    """Serve the later snapshot and time the run that picks up its changes; returns the simulator."""
    process, simulator_url = start_simulator(snapshot)
    processes = processes or default_processes(settings)
    started = time.perf_counter()
    later = run_all_assets(
        settings=settings.model_copy(update={"simulator_url": simulator_url}), processes=processes
    )
    incremental = time.perf_counter() - started
    fetched = sum(counted(later.metadata, ".fetched"))
    changed = landed_versions(later)
    share = f" = {changed / first_loaded:.2%} of the {first_loaded:,} first loaded" if first_loaded else ""
    print(
        f"  incremental, {days} simulated day(s) later: run {'succeeded' if later.success else 'FAILED'} "
        f"in {incremental:,.1f} s (target < {TARGET_INCREMENTAL_SECONDS} s for 1 %), {processes} step(s) at "
        f"once; {fetched:,} records "
        f"fetched, {changed:,} new versions{share}"
    )
    print_assets(later, step_intervals(dagster_instance(settings), later.run_id))
    return process


def copy_database(url: str, name: str) -> str:
    """A PostgreSQL copy of the warehouse at `url` named `name` (replacing one of that name)."""
    source = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as connection:
        # CREATE DATABASE … TEMPLATE needs the source to have no other sessions (pooled ones linger).
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (source,),
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return f"{PG_ADMIN}/{name}"


def bench_incremental_from(
    saved: str, snapshot: Path, folder: Path, days: int, *, keep: bool, processes: int | None
) -> None:
    """The incremental run alone, on a fresh copy of a warehouse saved after a full run."""
    database_url = copy_database(f"{PG_ADMIN}/{saved}", f"hub_bench_{uuid.uuid4().hex[:8]}")
    upgrade(database_url)  # a warehouse saved by an earlier revision
    print(f"\n== postgresql: incremental run on a copy of {saved}")
    process = None
    try:
        settings = bench_settings(database_url, folder / "var-postgresql", "http://127.0.0.1:9")
        process = bench_incremental(settings, snapshot, days, first_loaded=None, processes=processes)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if keep:
            print(f"  kept the warehouse: {database_url}")
        else:
            drop_database(database_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=GOLDEN_SEED)
    parser.add_argument("--noise", default="realistic")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--truth-limit",
        type=int,
        default=1_000_000,
        help="Largest scale to measure F1 at (at 1,000,000 the truth takes 3.5 min to write and its "
        "scoring 6 GiB of memory, after the run's peak RSS is taken).",
    )
    parser.add_argument("--days", type=int, default=1, help="Simulated days before the incremental run.")
    parser.add_argument(
        "--snapshots",
        type=Path,
        help="Keep the simulated snapshots under this folder and reuse them on later runs of the same "
        "scale, seed, noise and days (simulating 1,000,000 persons takes minutes).",
    )
    parser.add_argument(
        "--save-full",
        metavar="NAME",
        help="PostgreSQL: keep a copy of the warehouse as it is after the full run, as database NAME.",
    )
    parser.add_argument(
        "--incremental-from",
        metavar="NAME",
        help="PostgreSQL: skip the full run; time only the incremental run, on a fresh copy of database "
        "NAME (saved by --save-full from the same --snapshots, scale, seed, noise and days).",
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="Steps run at once, each in a process of its own; 1 runs every step in this process "
        "(default: as `hub pipeline run`, one per core for the full run into PostgreSQL, else 1).",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the PostgreSQL warehouse afterwards (e.g. for `bench.graphql run --database`).",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hub-bench-pipeline-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        kept = args.snapshots / f"{args.scale}-{args.seed}-{args.noise}" if args.snapshots else folder
        snapshots = (kept / "snapshot", kept / f"snapshot-day-{args.days}")
        for snapshot, days in zip(snapshots, (0, args.days), strict=True):
            if not (snapshot / MANIFEST).exists():
                simulate("snapshot", snapshot, args, days=days)
        if args.incremental_from:
            bench_incremental_from(
                args.incremental_from,
                snapshots[1],
                folder,
                args.days,
                keep=args.keep,
                processes=args.processes,
            )
            return 0
        truth = None
        if args.scale <= args.truth_limit:
            truth = kept / "truth"
            if not (truth / "manifest.json").exists():  # written last: the folder is whole
                simulate("truth", truth, args)
        print(
            f"county of {args.scale:,} persons (seed {args.seed}, noise {args.noise}) "
            f"simulated in {time.perf_counter() - started:.1f} s"
        )
        for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
            bench_backend(
                backend,
                snapshots,
                truth,
                folder,
                args.days,
                keep=args.keep,
                processes=args.processes,
                save_full=args.save_full,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
