"""GraphQL views against a raw-SQL floor, on PostgreSQL, over loopback HTTP (issue 7, item 5).

    .venv/bin/python bench/graphql.py build --scale 50000 --database hub_bench_50k
    .venv/bin/python bench/graphql.py run --database hub_bench_50k [--requests 200] [--profile]

`build` generates a county with the simulator, serves it on loopback and runs every pipeline asset
into a fresh PostgreSQL database. `run` serves the API with uvicorn in a separate process (so the
client threads do not share its interpreter) and, for four queries, prints p50/p99 latency and
throughput at concurrency 1 and 16 over a bounded number of requests, next to a raw-SQL floor that
fetches the same rows with psycopg on one connection in the same run, and their ratio.
`--profile` runs each query in-process under pyinstrument instead and writes HTML profiles.

Benchmarks print ratios; nothing here asserts a time (DESIGN §9).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's folder comes first on the path, and this file is named like the
# graphql-core package Strawberry imports: put the project root there instead.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent)]

from hub.api.ids import to_global_id  # noqa: E402

PG_SERVER = os.environ.get("HUB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
SEED = 20261126

HOUSEHOLD_360 = """
query Household360($id: ID!) {
  household(id: $id) {
    hhNo address
    grid { code name }
    members { relation person { name idNumber birthDate phone } }
    tags { kind department validFrom validTo amount }
    cases { caseNo department kind status openedAt deadline
            parties { role person { name } } events { at status } }
  }
}"""

HOUSEHOLD_PAGE = """
query HouseholdPage($grid: String!) {
  households(first: 100, filter: {gridCode: $grid}) {
    edges { node {
      hhNo address
      members { relation person { name idNumber } }
      tags { kind department }
      cases { caseNo department status }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""

GRID_DASHBOARD = """
query GridDashboard($code: String!) {
  grid(code: $code) {
    code name
    path { code name level }
    workers { name phone }
    children { code name }
    statistics {
      households persons openCases overdueCases
      tagsByKind { kind persons }
      casesByDepartment { department open overdue }
    }
  }
}"""

CASE_TIMELINE = """
query CaseTimeline($id: ID!) {
  case(id: $id) {
    caseNo department kind category status resolutionLevel openedAt closedAt deadline overdue satisfaction
    parties { role person { name idNumber } }
    linkedCases { caseNo department status events { at status } }
    events { at status note }
  }
}"""


# --- raw-SQL floor: the same rows, fetched by psycopg with prepared statements on one connection ----

Floor = Callable[[psycopg.Connection[Any]], object]


def _rows(conn: psycopg.Connection[Any], sql: str, *params: object) -> list[tuple[Any, ...]]:
    return conn.execute(sql, params, prepare=True).fetchall()


def _cases_with(conn: psycopg.Connection[Any], person_ids: list[int]) -> list[tuple[Any, ...]]:
    return _rows(
        conn,
        "SELECT DISTINCT cp.person_id, c.id, c.case_no, c.department, c.kind, c.status, c.opened_at, "
        "c.deadline "
        "FROM case_parties cp JOIN cases c ON c.id = cp.case_id WHERE cp.person_id = ANY(%s)",
        person_ids,
    )


def household_360_floor(household_id: int) -> Floor:
    def fetch(conn: psycopg.Connection[Any]) -> object:
        (household,) = _rows(
            conn, "SELECT id, hh_no, address, grid_id FROM households WHERE id = %s", household_id
        )
        grid = _rows(conn, "SELECT code, name FROM grids WHERE id = %s", household[3])
        members = _rows(
            conn,
            "SELECT person_id, relation FROM household_members WHERE household_id = %s AND valid_to IS NULL",
            household_id,
        )
        person_ids = [m[0] for m in members]
        persons = _rows(
            conn, "SELECT id, name, id_number, birth_date, phone FROM persons WHERE id = ANY(%s)", person_ids
        )
        tags = _rows(
            conn,
            "SELECT person_id, kind, department, valid_from, valid_to, amount FROM person_tags "
            "WHERE person_id = ANY(%s)",
            person_ids,
        )
        cases = _cases_with(conn, person_ids)
        case_ids = list({c[1] for c in cases})
        parties = _rows(
            conn, "SELECT case_id, person_id, role FROM case_parties WHERE case_id = ANY(%s)", case_ids
        )
        party_persons = _rows(
            conn, "SELECT id, name FROM persons WHERE id = ANY(%s)", list({p[1] for p in parties})
        )
        events = _rows(conn, "SELECT case_id, at, status FROM case_events WHERE case_id = ANY(%s)", case_ids)
        return grid, persons, tags, party_persons, events

    return fetch


def household_page_floor(grid_code: str) -> Floor:
    def fetch(conn: psycopg.Connection[Any]) -> object:
        households = _rows(
            conn,
            "SELECT h.id, h.hh_no, h.address FROM households h WHERE h.grid_id IN "
            "(SELECT id FROM grids WHERE code LIKE %s) ORDER BY h.id LIMIT 101",
            grid_code + "%",
        )
        ids = [h[0] for h in households[:100]]
        members = _rows(
            conn,
            "SELECT household_id, person_id, relation FROM household_members "
            "WHERE household_id = ANY(%s) AND valid_to IS NULL",
            ids,
        )
        person_ids = [m[1] for m in members]
        persons = _rows(conn, "SELECT id, name, id_number FROM persons WHERE id = ANY(%s)", person_ids)
        tags = _rows(
            conn, "SELECT person_id, kind, department FROM person_tags WHERE person_id = ANY(%s)", person_ids
        )
        return persons, tags, _cases_with(conn, person_ids)

    return fetch


def grid_dashboard_floor(grid_code: str) -> Floor:
    def fetch(conn: psycopg.Connection[Any]) -> object:
        (grid,) = _rows(conn, "SELECT id, code, name, parent_id FROM grids WHERE code = %s", grid_code)
        prefixes = [grid_code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)]
        path = _rows(conn, "SELECT code, name, level FROM divisions WHERE code = ANY(%s)", prefixes)
        workers = _rows(conn, "SELECT name, phone FROM grid_workers WHERE grid_id = %s", grid[0])
        children = _rows(conn, "SELECT code, name FROM grids WHERE parent_id = %s ORDER BY code", grid[0])
        subtree = "SELECT id FROM grids WHERE code LIKE %s"
        counts = _rows(
            conn,
            "SELECT count(DISTINCT h.id), count(DISTINCT m.person_id) FROM households h "
            "LEFT JOIN household_members m ON m.household_id = h.id AND m.valid_to IS NULL "
            f"WHERE h.grid_id IN ({subtree})",
            grid_code + "%",
        )
        tags = _rows(
            conn,
            "SELECT t.kind, count(DISTINCT t.person_id) FROM households h "
            "JOIN household_members m ON m.household_id = h.id AND m.valid_to IS NULL "
            "JOIN person_tags t ON t.person_id = m.person_id "
            f"WHERE h.grid_id IN ({subtree}) AND (t.valid_to IS NULL OR t.valid_to >= current_date) "
            "GROUP BY t.kind",
            grid_code + "%",
        )
        cases = _rows(
            conn,
            "SELECT department, count(*), sum(CASE WHEN deadline < current_date THEN 1 ELSE 0 END) "
            "FROM cases "
            f"WHERE grid_id IN ({subtree}) AND status IN ('received', 'assigned', 'in_progress') "
            "GROUP BY department",
            grid_code + "%",
        )
        return path, workers, children, counts, tags, cases

    return fetch


def case_timeline_floor(case_id: int) -> Floor:
    def fetch(conn: psycopg.Connection[Any]) -> object:
        case = _rows(conn, "SELECT * FROM cases WHERE id = %s", case_id)
        parties = _rows(conn, "SELECT person_id, role FROM case_parties WHERE case_id = %s", case_id)
        persons = _rows(
            conn, "SELECT id, name, id_number FROM persons WHERE id = ANY(%s)", [p[0] for p in parties]
        )
        links = _rows(
            conn,
            "SELECT case_id, target_case_id FROM case_links WHERE case_id = %s OR target_case_id = %s",
            case_id,
            case_id,
        )
        linked = list({x for link in links for x in link if x is not None and x != case_id})
        linked_cases = _rows(
            conn, "SELECT id, case_no, department, status FROM cases WHERE id = ANY(%s)", linked
        )
        events = _rows(
            conn,
            "SELECT case_id, at, status, note FROM case_events WHERE case_id = ANY(%s)",
            [case_id, *linked],
        )
        return case, persons, linked_cases, events

    return fetch


# --- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    name: str
    query: str
    variables: dict[str, Any]
    floor: Floor


def choose_targets(conn: psycopg.Connection[Any]) -> list[Benchmark]:
    """The busiest household, grid and case, so the views have something to show."""
    ((household_id,),) = _rows(
        conn,
        "SELECT m.household_id FROM household_members m JOIN case_parties p ON p.person_id = m.person_id "
        "WHERE m.valid_to IS NULL GROUP BY m.household_id ORDER BY count(DISTINCT p.case_id) DESC, "
        "m.household_id LIMIT 1",
    )
    ((grid_code,),) = _rows(
        conn,
        "SELECT g.code FROM grids g JOIN grids s ON s.code LIKE g.code || '%%' "
        "JOIN households h ON h.grid_id = s.id "
        "WHERE g.level = 'grid' GROUP BY g.code ORDER BY count(*) DESC, g.code LIMIT 1",
    )
    ((case_id,),) = _rows(
        conn,
        "SELECT c.id FROM cases c JOIN case_links l ON l.case_id = c.id OR l.target_case_id = c.id "
        "GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1",
    )
    return [
        Benchmark(
            "household 360 by id",
            HOUSEHOLD_360,
            {"id": to_global_id("Household", household_id)},
            household_360_floor(household_id),
        ),
        Benchmark(
            "100 households in a grid subtree",
            HOUSEHOLD_PAGE,
            {"grid": grid_code},
            household_page_floor(grid_code),
        ),
        Benchmark(
            "grid dashboard with statistics",
            GRID_DASHBOARD,
            {"code": grid_code},
            grid_dashboard_floor(grid_code),
        ),
        Benchmark(
            "case with timeline and linked cases",
            CASE_TIMELINE,
            {"id": to_global_id("Case", case_id)},
            case_timeline_floor(case_id),
        ),
    ]


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p99_ms: float
    per_second: float


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(call: Callable[[], object], *, requests_total: int, concurrency: int) -> Timing:
    def timed(_: int) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    started = time.perf_counter()
    if concurrency == 1:
        samples = [timed(i) for i in range(requests_total)]
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            samples = list(pool.map(timed, range(requests_total)))
    elapsed = time.perf_counter() - started
    return Timing(
        p50_ms=statistics.median(samples) * 1000,
        p99_ms=_percentile(samples, 0.99) * 1000,
        per_second=requests_total / elapsed,
    )


ROW = "{:38} {:>9} | {:>8} {:>7} {:>6} | {:>8} {:>7} {:>6} | {:>9}"


class Client:
    """One keep-alive HTTP/1.1 connection to the API on loopback, opened again when the server has
    closed it (uvicorn closes idle ones after five seconds).

    The standard library's client, not `requests`: the floor runs in-process, so the client should add
    as little as it can to each measured request. Measured on this machine: a `/healthz` round trip
    took 0.68 ms with `requests` and 0.44 ms with `http.client`; the 100-household page, 17.7 against
    16.3 ms.
    """

    def __init__(self, port: int) -> None:
        self._port = port
        self._connection: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body: bytes | None = None) -> bytes:
        """The response body of one request; an error unless the answer is 200 OK."""
        headers = {"content-type": "application/json"} if body is not None else {}
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=60)
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise
                continue
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: HTTP {response.status}: {payload[:200]!r}")
            return payload
        raise AssertionError("unreachable")


def graphql_call(port: int, benchmark: Benchmark) -> Callable[[], object]:
    """A POST of the benchmark's query, one keep-alive connection per client thread."""
    body = json.dumps({"query": benchmark.query, "variables": benchmark.variables}).encode()
    local = threading.local()

    def call() -> object:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = Client(port)
        payload = json.loads(client.send("POST", "/graphql", body))
        if "errors" in payload:
            raise RuntimeError(f"{benchmark.name}: {payload['errors']}")
        return payload

    return call


def health_call(port: int) -> Callable[[], object]:
    """A GET of /healthz: the HTTP round trip alone, without GraphQL or the database's rows."""
    client = Client(port)
    return lambda: client.send("GET", "/healthz")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_in_subprocess(database_url: str, port: int) -> subprocess.Popen[bytes]:
    code = (
        "import uvicorn\n"
        "from hub.api.app import create_app\n"
        "from hub.config import Settings\n"
        f"settings = Settings(_env_file=None, database_url={database_url!r})\n"
        f"uvicorn.run(create_app(settings), host='127.0.0.1', port={port},\n"
        "            log_level='warning', access_log=False)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            Client(port).send("GET", "/healthz")
        except (ConnectionError, RuntimeError):
            time.sleep(0.2)
        else:
            return process
    process.kill()
    raise RuntimeError("the API did not start")


def sqlalchemy_url(database: str) -> str:
    return f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{database}"


def run(database: str, *, requests_total: int, warmup: int) -> None:
    database_url = sqlalchemy_url(database)
    with psycopg.connect(f"{PG_SERVER}/{database}") as conn:
        benchmarks = choose_targets(conn)
        ((persons,),) = _rows(conn, "SELECT count(*) FROM persons")
        ((households,),) = _rows(conn, "SELECT count(*) FROM households")
        ((cases,),) = _rows(conn, "SELECT count(*) FROM cases")
        print(f"database {database}: {persons:,} persons, {households:,} households, {cases:,} cases")
        floors = {}
        for benchmark in benchmarks:
            for _ in range(warmup):
                benchmark.floor(conn)
            floors[benchmark.name] = measure(
                lambda b=benchmark: b.floor(conn), requests_total=requests_total, concurrency=1
            )
    port = free_port()
    server = serve_in_subprocess(database_url, port)
    try:
        print(f"{requests_total} requests per measurement after {warmup} warm-up; times in ms")
        health = health_call(port)
        for _ in range(warmup):
            health()
        round_trip = measure(health, requests_total=requests_total, concurrency=1)
        print(f"HTTP round trip alone (GET /healthz): p50 {round_trip.p50_ms:.2f} ms")
        print(
            ROW.format(
                "query", "floor p50", "c=1 p50", "p99", "req/s", "c=16 p50", "p99", "req/s", "p50/floor"
            )
        )
        for benchmark in benchmarks:
            call = graphql_call(port, benchmark)
            for _ in range(warmup):
                call()
            one = measure(call, requests_total=requests_total, concurrency=1)
            sixteen = measure(call, requests_total=requests_total, concurrency=16)
            floor = floors[benchmark.name]
            numbers = (floor.p50_ms, one.p50_ms, one.p99_ms, one.per_second)
            more = (sixteen.p50_ms, sixteen.p99_ms, sixteen.per_second, one.p50_ms / floor.p50_ms)
            print(ROW.format(benchmark.name, *(f"{n:.1f}" for n in (*numbers, *more))))
    finally:
        server.terminate()
        server.wait(timeout=10)


def profile(database: str, *, repeats: int, out: Path) -> None:
    """Each query in-process under pyinstrument (no HTTP), to see where the time goes."""
    from pyinstrument import Profiler

    from hub.api.context import build_context
    from hub.api.schema import build_schema
    from hub.config import Settings
    from hub.db.engine import make_engine, session_factory
    from hub.warehouse.viewer import SYSTEM_VIEWER

    database_url = sqlalchemy_url(database)
    engine = make_engine(database_url)
    schema = build_schema(production=True)
    settings = Settings(_env_file=None, database_url=database_url)
    with psycopg.connect(f"{PG_SERVER}/{database}") as conn:
        benchmarks = choose_targets(conn)
    out.mkdir(parents=True, exist_ok=True)

    async def execute(benchmark: Benchmark) -> None:
        context = build_context(viewer=SYSTEM_VIEWER, sessions=session_factory(engine), settings=settings)
        result = await schema.execute(
            benchmark.query, variable_values=benchmark.variables, context_value=context
        )
        if result.errors:
            raise RuntimeError(result.errors)

    for benchmark in benchmarks:
        asyncio.run(execute(benchmark))
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(repeats):
            asyncio.run(execute(benchmark))
        profiler.stop()
        path = out / (benchmark.name.replace(" ", "-") + ".html")
        path.write_text(profiler.output_html(), encoding="utf-8")
        path.with_suffix(".txt").write_text(profiler.output_text(show_all=False), encoding="utf-8")
        print(f"{benchmark.name}: {path}")
    engine.dispose()


def build(database: str, *, scale: int) -> None:
    """A fresh database holding a simulated county of `scale` persons, loaded by the real pipelines."""
    from hub.config import Settings
    from hub.db.migrate import upgrade
    from hub.simulator.county import generate_county
    from hub.simulator.server import running_simulator
    from pipelines.runner import run_all_assets

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')
    database_url = sqlalchemy_url(database)
    upgrade(database_url)
    started = time.monotonic()
    county = generate_county(seed=SEED, scale=scale)
    print(f"generated {scale:,} persons in {time.monotonic() - started:.0f} s")
    var = ROOT / "var" / f"bench-{database}"
    var.mkdir(parents=True, exist_ok=True)
    settings = Settings(_env_file=None, database_url=database_url, var_dir=var)
    with running_simulator(county=county, port=free_port()) as simulator_url:
        result = run_all_assets(settings=settings.model_copy(update={"simulator_url": simulator_url}))
    print(f"loaded in {time.monotonic() - started:.0f} s (run {result.run_id}, success={result.success})")
    # Without statistics the planner scans whole tables for batched lookups (measured: 16 ms instead of
    # 0.3 ms for 40 households' members), and autovacuum is off on the development server.
    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True) as conn:
        conn.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="load a simulated county into a new PostgreSQL database")
    build_parser.add_argument("--scale", type=int, default=1_000_000)
    build_parser.add_argument("--database", default="hub_bench")
    run_parser = commands.add_parser("run", help="measure the four queries against their raw-SQL floor")
    run_parser.add_argument("--database", default="hub_bench")
    run_parser.add_argument(
        "--requests", type=int, default=200, help="requests per measurement (bounded run)"
    )
    run_parser.add_argument("--warmup", type=int, default=20)
    run_parser.add_argument("--profile", type=Path, help="write pyinstrument profiles to this folder instead")
    arguments = parser.parse_args()
    if arguments.command == "build":
        build(arguments.database, scale=arguments.scale)
    elif arguments.profile:
        profile(arguments.database, repeats=arguments.requests, out=arguments.profile)
    else:
        run(arguments.database, requests_total=arguments.requests, warmup=arguments.warmup)


if __name__ == "__main__":
    main()
