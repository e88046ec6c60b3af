"""`hub quality`: run the suites and write the auditors' report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from hub.config import get_settings
from hub.db.engine import make_engine, session_factory

app = typer.Typer(help="Data quality: suites, results and the auditors' report.", no_args_is_help=True)
console = Console()


@app.command("run")
def run_command(
    database_url: str | None = typer.Option(None, help="Warehouse URL (default: HUB_DATABASE_URL)."),
) -> None:
    """Run every suite in expectations/ against the warehouse and record the results."""
    from hub.quality.results import run_quality

    engine = make_engine(database_url or get_settings().resolved_database_url)
    try:
        with console.status("running the suites (Great Expectations)"):
            outcome = run_quality(engine=engine, trigger="cli")
    finally:
        engine.dispose()
    held = sum(len(s.failing_row_ids) for s in outcome.suites)
    console.print(f"quality run {outcome.run_id}: [bold]{outcome.status}[/bold], {held} rows held back")
    if outcome.status == "failed":
        raise typer.Exit(1)


@app.command("report")
def report_command(
    out: Path = typer.Option(..., "--out", help="Folder for report.html, report.json and the CSV files."),  # noqa: B008
    run: int | None = typer.Option(None, help="dq_runs id (default: the latest run)."),
    database_url: str | None = typer.Option(None, help="Warehouse URL (default: HUB_DATABASE_URL)."),
) -> None:
    """Write the offline HTML report with CSV and JSON of the same figures."""
    from hub.quality.report import build_report, write_report

    engine = make_engine(database_url or get_settings().resolved_database_url)
    try:
        with session_factory(engine)() as session:
            report = build_report(session=session, dq_run_id=run)
    finally:
        engine.dispose()
    written = write_report(report, out)
    if report.detail is None:
        console.print("no quality run recorded yet: the report says so")
    console.print(f"report written: {written[0].resolve().as_uri()}")
