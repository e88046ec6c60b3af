"""`hub demo`: the whole hub on one machine, from an empty checkout to GraphiQL.

Part of the command-line layer (like `hub.cli`): it wires the simulator, the pipelines and the API
together, which nothing below the CLI may do.
"""

from __future__ import annotations

import uvicorn
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax

from hub.api.app import create_app
from hub.api.ids import to_global_id
from hub.config import Settings, get_settings
from hub.db.engine import make_engine, session_factory
from hub.db.migrate import upgrade
from hub.simulator.county import GOLDEN_SCALE, GOLDEN_SEED, generate_county
from hub.simulator.server import running_simulator
from hub.warehouse.households.service import HouseholdFilter, list_households
from hub.warehouse.viewer import SYSTEM_VIEWER
from pipelines.runner import default_processes, run_all_assets

EXAMPLE_QUERY = """\
query Household($id: ID!) {
  household(id: $id) {
    hhNo
    address
    grid { code name }
    members { relationLabel person { name idNumber sexLabel birthDate } }
    tags { label department validFrom amount }
    cases { caseNo departmentLabel kind status openedAt links { relation targetCaseNo } }
  }
}"""


def run_demo(
    *, console: Console, seed: int | None, scale: int | None, simulator_port: int, api_port: int | None
) -> None:
    """Migrate, serve the simulated county, ingest it, then serve GraphQL until interrupted."""
    settings = get_settings()
    seed, scale = seed or GOLDEN_SEED, scale or GOLDEN_SCALE
    console.rule("[bold]1/4 warehouse")
    upgrade(settings.resolved_database_url)
    console.print(f"migrated {settings.resolved_database_url}")
    console.rule("[bold]2/4 simulated departments")
    with console.status(f"generating the county (seed {seed}, {scale:,} persons)…"):
        county = generate_county(seed=seed, scale=scale)
    with running_simulator(county=county, port=simulator_port) as simulator_url:
        console.print(f"公安, 民政, 司法, 信访 and the grid registry at {simulator_url}")
        settings = settings.model_copy(update={"simulator_url": simulator_url})
        console.rule("[bold]3/4 pipelines")
        result = run_all_assets(settings=settings, console=console, processes=default_processes(settings))
        if not result.success:
            console.print(f"[red]pipeline run {result.run_id} failed; see `make dagster` for its events[/]")
            raise SystemExit(1)
        console.rule("[bold]4/4 GraphQL")
        port = api_port or settings.api_port
        _print_where_to_look(console, settings, port)
        uvicorn.run(create_app(settings), host=settings.api_host, port=port, log_level="warning")


def _print_where_to_look(console: Console, settings: Settings, port: int) -> None:
    household_id = _example_household(settings)
    base = f"http://{settings.api_host}:{port}"
    report = settings.var_dir / "reports" / "quality" / "latest" / "report.html"
    console.print(
        Panel.fit(
            f"GraphiQL:  [bold]{base}/graphql[/]\nHealth:    {base}/healthz\n"
            f"Dagster:   `make dagster` (runs are kept under {settings.resolved_dagster_home})\n"
            f"Quality:   {report} (open in a browser)\n"
            "Stop with Ctrl-C.",
            title="the hub is running",
        )
    )
    console.print("Paste this query into GraphiQL, with these variables:")
    console.print(Syntax(EXAMPLE_QUERY, "graphql", word_wrap=True))
    console.print(Syntax(f'{{"id": "{household_id}"}}', "json"))


def _example_household(settings: Settings) -> str:
    """A household whose members hold a civil-affairs benefit and have a justice case."""
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_factory(engine)() as session:
            where = HouseholdFilter(has_tag_from="civil_affairs", has_case_from="justice")
            page = list_households(session=session, viewer=SYSTEM_VIEWER, where=where, first=1)
    finally:
        engine.dispose()
    row = page.items[0] if page.items else None
    return to_global_id("Household", row.id) if row else ""
