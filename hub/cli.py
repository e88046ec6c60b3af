"""The `hub` command: one entry point for the database, simulator, pipelines, API and demo."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
import uvicorn
from rich.console import Console

from hub.config import get_settings
from hub.logging import configure_logging
from hub.quality.cli import app as quality_app
from hub.simulator.cli import app as simulate_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

console = Console()
app = typer.Typer(help="Grassroots governance data hub.", no_args_is_help=True)
db_app = typer.Typer(help="The warehouse database.", no_args_is_help=True)
pipeline_app = typer.Typer(help="The Dagster pipelines.", no_args_is_help=True)
api_app = typer.Typer(help="The GraphQL API.", no_args_is_help=True)
schema_app = typer.Typer(help="The checked-in GraphQL SDL.", no_args_is_help=True)
persons_app = typer.Typer(help="Resolved persons: the merges resolution made.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(simulate_app, name="simulate", help="The simulated departments.")
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(api_app, name="api")
app.add_typer(schema_app, name="schema")
app.add_typer(persons_app, name="persons")
app.add_typer(quality_app, name="quality", help="Data-quality suites and the auditors' report.")


@app.callback()
def main() -> None:
    """Grassroots governance data hub: departments' data in one warehouse, one GraphQL view."""
    configure_logging(get_settings())


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the warehouse (HUB_DATABASE_URL, default a SQLite file under var/) to `revision`."""
    from hub.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.resolved_database_url, revision)
    console.print(f"[green]warehouse at {revision}[/] ({_safe_url(settings.resolved_database_url)})")


@pipeline_app.command("run")
def pipeline_run(
    full_reload: bool = typer.Option(False, help="Read every source from the start; reprocess every record."),
    processes: int | None = typer.Option(
        None,
        min=1,
        help="Steps at once, each in a process of its own; 1 runs them in this process "
        "(default: one per core for a first load or full reload into PostgreSQL, else 1)",
    ),
) -> None:
    """Materialise every asset against the configured departments, with progress."""
    from pipelines.runner import default_processes, run_all_assets

    settings = get_settings()
    result = run_all_assets(
        settings=settings,
        console=console,
        full_reload=full_reload,
        processes=processes or default_processes(settings, full_reload=full_reload),
    )
    if not result.success:
        raise typer.Exit(code=1)


@pipeline_app.command("dev")
def pipeline_dev() -> None:
    """Start the Dagster UI and daemon (`dagster dev`) on the hub's definitions."""
    settings = get_settings()
    home = settings.resolved_dagster_home
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    os.execv(dagster, [dagster, "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1"])


@api_app.command("serve")
def api_serve(host: str | None = None, port: int | None = None) -> None:
    """Serve GraphQL (and offline GraphiQL outside production) over the warehouse."""
    from hub.api.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.api_host, port=port or settings.api_port)


@persons_app.command("merges")
def persons_merges(
    person: int | None = typer.Option(None, help="Only merges this person took part in."),
    first: int = typer.Option(50, min=1, max=500, help="How many, newest first."),
) -> None:
    """List the merges resolution made: rule, score, and whether a reviewer undid them."""
    from rich.table import Table

    from hub.warehouse.persons.merges import list_merges

    with _warehouse_session() as session:
        merges = list_merges(session=session, person_id=person, first=first)
    table = Table("id", "survivor", "absorbed", "rule", "tier", "score", "run", "undone")
    for merge in merges:
        undone = merge.undone_at.isoformat(timespec="seconds") if merge.undone_at else ""
        table.add_row(
            str(merge.id),
            str(merge.survivor_person_id),
            str(merge.absorbed_person_id),
            merge.rule,
            str(merge.tier),
            f"{merge.score:.3f}",
            merge.run_id,
            undone,
        )
    console.print(table)


@persons_app.command("reviews")
def persons_reviews(
    status: str = typer.Option("pending", help="pending, accepted or rejected."),
    first: int = typer.Option(50, min=1, max=500, help="How many, oldest first."),
) -> None:
    """List the pairs resolution was unsure about and left to a reviewer."""
    from rich.table import Table

    from hub.warehouse.persons.merges import list_reviews

    with _warehouse_session() as session:
        reviews = list_reviews(session=session, status=status, first=first)
    table = Table("id", "left mention", "right mention", "reason", "score", "status", "reviewer")
    for review in reviews:
        table.add_row(
            str(review.id),
            review.left_mention,
            review.right_mention,
            review.reason,
            f"{review.score:.2f}",
            review.status,
            review.reviewed_by or "",
        )
    console.print(table)


@persons_app.command("review")
def persons_review(
    review_id: int = typer.Argument(..., help="The pair's id (`hub persons reviews`)."),
    accept: bool = typer.Option(..., "--accept/--reject", help="The two mentions are one person, or not."),
    reviewer: str = typer.Option(..., help="Who decides (kept with the decision)."),
) -> None:
    """Decide a queued pair; the next `person_resolution` merges an accepted one."""
    from hub.errors import HubError
    from hub.warehouse.persons.merges import decide_review

    try:
        with _warehouse_session() as session, session.begin():
            decide_review(session=session, review_id=review_id, accept=accept, reviewer=reviewer)
    except HubError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(code=1) from error
    console.print(f"[green]pair {review_id} {'accepted' if accept else 'rejected'}[/]")


@persons_app.command("undo-merge")
def persons_undo_merge(
    match_id: int = typer.Argument(..., help="The merge's id (`hub persons merges`)."),
) -> None:
    """Undo a merge: both persons get back their own records, and are never merged again."""
    import uuid

    from hub.db.engine import make_engine
    from hub.errors import HubError
    from hub.warehouse.provenance import LoadRun
    from pipelines.review import undo_merge

    engine = make_engine(get_settings().resolved_database_url)
    try:
        undone, reports = undo_merge(engine=engine, match_id=match_id, run=LoadRun(f"undo-{uuid.uuid4()}"))
    except HubError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(code=1) from error
    finally:
        engine.dispose()
    restored = ", ".join(map(str, undone.restored_person_ids))
    republished = sum(report.publish.published for report in reports)
    console.print(
        f"[green]merge {undone.match_id} undone:[/] person(s) {restored} apart from "
        f"{undone.survivor_person_id}; {undone.mentions_returned} mentions and {undone.rows_returned} "
        f"rows returned, {republished} records both appear in republished"
    )


@schema_app.command("export")
def schema_export() -> None:
    """Write the schema's SDL to schema/hub.graphql."""
    from hub.api.sdl import export_sdl

    console.print(f"wrote {export_sdl()}")


@schema_app.command("check")
def schema_check() -> None:
    """Fail when schema/hub.graphql differs from the code (run `hub schema export`)."""
    from hub.api.sdl import SDL_PATH, sdl_is_current

    if not sdl_is_current():
        console.print(f"[red]{SDL_PATH} is stale:[/] run `hub schema export` and commit it")
        raise typer.Exit(code=1)
    console.print(f"[green]{SDL_PATH} matches the code[/]")


@app.command("demo")
def demo(
    seed: int | None = None,
    scale: int | None = None,
    simulator_port: int = 8700,
    api_port: int | None = None,
) -> None:
    """Migrate, start the simulated departments, run the pipelines, then serve GraphiQL until Ctrl-C."""
    from hub.demo import run_demo

    run_demo(console=console, seed=seed, scale=scale, simulator_port=simulator_port, api_port=api_port)


@contextmanager
def _warehouse_session() -> Iterator[Session]:
    """A session on the configured warehouse, its engine disposed afterwards."""
    from hub.db.engine import make_engine, session_factory

    engine = make_engine(get_settings().resolved_database_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
