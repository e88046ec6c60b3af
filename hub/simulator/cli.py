"""`hub simulate`: run the simulated departments for a seed and scale."""

from __future__ import annotations

import typer
import uvicorn
from rich.console import Console

from hub.simulator.app import create_app
from hub.simulator.county import GOLDEN_SCALE, GOLDEN_SEED, generate_county
from hub.simulator.settings import SimulatorSettings

app = typer.Typer(help="Simulated department systems (公安, 民政, 司法, 信访, 综治中心) over one county.")
console = Console(stderr=True)


@app.callback()
def simulate() -> None:
    """Simulated department systems serving one deterministic county."""


@app.command()
def serve(
    seed: int = typer.Option(GOLDEN_SEED, help="Seed of the county; the same seed serves the same bytes."),
    scale: int = typer.Option(GOLDEN_SCALE, help="Number of persons in the county."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8700, help="Port to listen on."),
) -> None:
    """Serve all five department APIs under one base URL until interrupted."""
    with console.status(f"Generating the county (seed {seed}, {scale:,} persons)…"):
        county = generate_county(seed=seed, scale=scale)
        application = create_app(county=county, settings=SimulatorSettings())
    console.print(
        f"[bold]{len(county.persons):,}[/] persons in [bold]{len(county.households):,}[/] households, "
        f"[bold]{len(county.cases):,}[/] cases; serving on http://{host}:{port}"
    )
    uvicorn.run(application, host=host, port=port, log_level="info")
