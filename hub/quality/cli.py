"""`hub quality`: run the suites and write the auditors' report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from hub.config import get_settings
from hub.db.engine import make_engine, session_factory

if TYPE_CHECKING:
    from hub.quality.defects import DefectRecall

app = typer.Typer(help="Data quality: suites, results and the auditors' report.", no_args_is_help=True)
console = Console()


@app.command("run")
def run_command(
    database_url: str | None = typer.Option(None, help="Warehouse URL (default: HUB_DATABASE_URL)."),
    changed_only: bool = typer.Option(
        False,
        "--changed-only",
        help="Check row-local rules on rows loaded since the last pipeline check only.",
    ),
) -> None:
    """Run every suite in expectations/ against the warehouse and record the results.

    A run from here knows nothing of the pipelines still writing, so no later run starts from it.
    """
    from hub.quality.results import run_quality

    engine = make_engine(database_url or get_settings().resolved_database_url)
    try:
        with console.status("running the suites (Great Expectations)"):
            outcome = run_quality(engine=engine, trigger="cli", changed_only=changed_only)
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


@app.command("defects")
def defects_command(
    truth: Path = typer.Option(..., "--truth", help="The simulator's truth folder (`hub simulate truth`)."),  # noqa: B008
    examples: int = typer.Option(3, min=0, help="Missed defects to show per kind."),
    min_recall: float = typer.Option(0.99, help="Exit 1 when a kind's recall is below this."),
    database_url: str | None = typer.Option(None, help="Warehouse URL (default: HUB_DATABASE_URL)."),
) -> None:
    """How many of the defects the simulator injected the warehouse caught, kind by kind."""
    from hub.quality.defects import defect_recall

    engine = make_engine(database_url or get_settings().resolved_database_url)
    try:
        recall = defect_recall(engine=engine, truth_dir=truth, examples=examples)
    finally:
        engine.dispose()
    console.print(defects_table(recall))
    # Field paths and findings hold brackets (`members[2].sex`): text, not rich markup.
    for kind in recall.kinds:
        console.print(f"{kind.kind}: caught when {kind.caught_when}", markup=False)
    for kind in recall.kinds:
        for missed in kind.missed_examples:
            where = f"{missed.stream} {missed.record_id} {missed.field or ''}".rstrip()
            line = f"missed {kind.kind}: {where} (served {missed.served!r}): {missed.finding}"
            console.print(line, markup=False)
    if any(kind.recall < min_recall for kind in recall.kinds):
        raise typer.Exit(1)


def defects_table(recall: DefectRecall) -> Table:
    """Per kind: defects injected, caught, not judged (superseded, held back, unread), missed, recall."""
    table = Table(
        title="defects injected by the simulator, and caught",
        box=box.SIMPLE,
        collapse_padding=True,
        pad_edge=False,
    )
    # Figures only, so that the table fits a terminal; what caught means follows as a legend.
    table.add_column("kind", no_wrap=True)
    for header in ("injected", "caught", "superseded", "held back", "unread", "missed", "recall"):
        table.add_column(header, justify="right", no_wrap=True)
    for kind in recall.kinds:
        table.add_row(
            kind.kind,
            str(kind.injected),
            str(kind.caught),
            str(kind.superseded),
            str(kind.held_back),
            str(kind.unread),
            str(kind.missed),
            f"{kind.recall:.3f}",
            style="red" if kind.missed else None,
        )
    return table
