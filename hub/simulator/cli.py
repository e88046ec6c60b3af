"""`hub simulate`: run the simulated departments for a seed and scale, and export their truth."""

from __future__ import annotations

import time
from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from hub.simulator.app import create_app, create_app_from_snapshot
from hub.simulator.catalog import serve_county
from hub.simulator.county import GOLDEN_SCALE, GOLDEN_SEED, generate_county
from hub.simulator.profiles import FAULT_PROFILES, NOISE_PROFILES, fault_profile, noise_profile
from hub.simulator.settings import SimulatorSettings
from hub.simulator.snapshot import load_snapshot, write_snapshot
from hub.simulator.timeline import advance_county, read_days, write_days
from hub.simulator.truth import write_truth

app = typer.Typer(help="Simulated department systems (公安, 民政, 司法, 信访, 综治中心) over one county.")
console = Console(stderr=True)

_SEED = typer.Option(GOLDEN_SEED, help="Seed of the county; the same seed serves the same bytes.")
_SCALE = typer.Option(GOLDEN_SCALE, help="Number of persons in the county.")
_NOISE = typer.Option("clean", help=f"Noise profile: {', '.join(NOISE_PROFILES)}.")
_FAULTS = typer.Option("none", help=f"Fault profile: {', '.join(FAULT_PROFILES)}.")
_STATE = typer.Option(
    None, help="Folder with state.json (simulated days advanced); `advance` writes it, `serve` follows it."
)

_SLOW = typer.Option(2.0, help="How long a slow-response fault waits (seconds).")
_FAULT_LOG = typer.Option(None, help="Append one JSON line per injected fault to this file.")
_OUT = typer.Option(..., help="Folder to write the truth files into (created).")
_TRUTH_DAYS = typer.Option(None, help="Simulated days advanced (default: from --state-dir, else 0).")
_DAYS = typer.Option(..., min=1, help="Simulated days to move forward.")
_REQUIRED_STATE = typer.Option(..., help="Folder with state.json, shared with a running `serve`.")
_SNAPSHOT = typer.Option(
    None, help="Serve a folder written by `hub simulate snapshot` instead of generating."
)
_SNAPSHOT_OUT = typer.Option(..., help="Folder to write the snapshot into (created).")
_WORKERS = typer.Option(1, min=1, help="Processes generating villages (the county is the same).")
_SNAPSHOT_DAYS = typer.Option(0, min=0, help="Simulated days advanced before the snapshot is taken.")


@app.callback()
def simulate() -> None:
    """Simulated department systems serving one deterministic county."""


def _checked(noise: str, faults: str) -> None:
    try:
        noise_profile(noise)
        fault_profile(faults)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


@app.command()
def serve(
    seed: int = _SEED,
    scale: int = _SCALE,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8700, help="Port to listen on."),
    noise: str = _NOISE,
    faults: str = _FAULTS,
    slow_seconds: float = _SLOW,
    fault_log: Path | None = _FAULT_LOG,
    state_dir: Path | None = _STATE,
    snapshot: Path | None = _SNAPSHOT,
) -> None:
    """Serve all five department APIs under one base URL until interrupted."""
    _checked(noise, faults)
    settings = SimulatorSettings(
        noise=noise,
        faults=faults,
        fault_slow_seconds=slow_seconds,
        fault_log_path=str(fault_log) if fault_log else None,
        state_dir=str(state_dir) if state_dir else None,
    )
    if snapshot is not None:
        with console.status(f"Loading the snapshot in {snapshot}…"):
            loaded = load_snapshot(snapshot)
            application = create_app_from_snapshot(snapshot=loaded, settings=settings)
        manifest = loaded.manifest
        console.print(
            f"snapshot of seed {manifest['seed']}, {manifest['scale']:,} persons, noise {manifest['noise']}; "
            f"faults [bold]{faults}[/]; serving on http://{host}:{port}"
        )
        # The registry sends its own `Date` (the simulated now): uvicorn must not add one.
        uvicorn.run(application, host=host, port=port, log_level="info", date_header=False)
        return
    with console.status(f"Generating the county (seed {seed}, {scale:,} persons)…"):
        county = generate_county(seed=seed, scale=scale)
        application = create_app(county=county, settings=settings)
    console.print(
        f"[bold]{len(county.persons):,}[/] persons in [bold]{len(county.households):,}[/] households, "
        f"[bold]{len(county.cases):,}[/] cases; noise [bold]{noise}[/], faults [bold]{faults}[/]; "
        f"serving on http://{host}:{port}"
    )
    uvicorn.run(application, host=host, port=port, log_level="info", date_header=False)


@app.command()
def truth(
    out: Path = _OUT,
    seed: int = _SEED,
    scale: int = _SCALE,
    noise: str = _NOISE,
    faults: str = _FAULTS,
    days: int | None = _TRUTH_DAYS,
    state_dir: Path | None = _STATE,
) -> None:
    """Write the ground truth of what `serve` with the same options serves (format: hub.simulator.truth)."""
    _checked(noise, faults)
    advanced = days if days is not None else (read_days(state_dir) if state_dir else 0)
    with console.status(f"Generating the county (seed {seed}, {scale:,} persons, day +{advanced})…"):
        county = advance_county(generate_county(seed=seed, scale=scale), days=advanced)
        totals = write_truth(
            serve_county(county, noise=noise), out=out, faults=fault_profile(faults), days_advanced=advanced
        )
    for department, streams in totals.items():
        for stream, figures in streams.items():
            defects = sum(figures["defects"].values())
            records = figures["records"]
            console.print(f"{department:>16} {stream:<13} {records:>9,} records {defects:>7,} defects")
    console.print(f"truth written to {out}")


@app.command(name="snapshot")
def write_snapshot_command(
    out: Path = _SNAPSHOT_OUT,
    seed: int = _SEED,
    scale: int = _SCALE,
    noise: str = _NOISE,
    days: int = _SNAPSHOT_DAYS,
    workers: int = _WORKERS,
) -> None:
    """Generate the county and write every served stream to a folder that `serve --snapshot` reads."""
    _checked(noise, "none")
    started = time.perf_counter()
    with console.status(f"Generating the county (seed {seed}, {scale:,} persons)…"):
        county = advance_county(generate_county(seed=seed, scale=scale, workers=workers), days=days)
    with console.status(f"Writing the snapshot to {out}…"):
        manifest = write_snapshot(county, noise=noise, out=out)
    elapsed = time.perf_counter() - started
    records = sum(manifest["records"].values())
    console.print(f"{records:,} records of {scale:,} persons in {elapsed:.1f} s written to {out}")


@app.command()
def advance(
    days: int = _DAYS,
    state_dir: Path = _REQUIRED_STATE,
) -> None:
    """Move simulated time on: a server started with the same --state-dir serves the new day next request."""
    total = read_days(state_dir) + days
    write_days(state_dir, total)
    console.print(f"simulated time is now {total} day(s) past the generated county")
