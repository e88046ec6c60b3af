"""Snapshots: written stream by stream, read back, served byte for byte like the county itself."""

from __future__ import annotations

from pathlib import Path

import orjson
import requests
from typer.testing import CliRunner

from hub.simulator import County, SimulatorSettings
from hub.simulator.catalog import STREAMS, serve_county
from hub.simulator.cli import app
from hub.simulator.server import running_simulator
from hub.simulator.snapshot import load_snapshot, write_snapshot
from tests.simulator.harvest import Harvester


def test_a_snapshot_holds_exactly_the_served_records(golden_county: County, tmp_path: Path) -> None:
    manifest = write_snapshot(golden_county, noise="realistic", out=tmp_path)
    served = serve_county(golden_county, noise="realistic")
    snapshot = load_snapshot(tmp_path)
    for stream in STREAMS:
        assert snapshot.records[stream.name] == served.records[stream.name], stream.name
        assert manifest["records"][stream.name] == len(served.records[stream.name])
    defects = [orjson.loads(line) for line in (tmp_path / "defects.jsonl").read_bytes().splitlines()]
    assert defects == [defect.as_json() for defect in served.defects]


def test_a_snapshot_serves_the_same_bytes_as_the_county(
    golden_county: County, tmp_path: Path, http: requests.Session
) -> None:
    write_snapshot(golden_county, noise="hostile", out=tmp_path)
    settings = SimulatorSettings(noise="hostile")
    with running_simulator(county=golden_county, settings=settings) as base_url:
        from_county = Harvester(base_url, settings, http, page_size=200).run().items
    with running_simulator(snapshot=load_snapshot(tmp_path), settings=settings) as base_url:
        from_snapshot = Harvester(base_url, settings, http, page_size=200).run().items
    assert from_snapshot == from_county


def test_snapshot_command_writes_a_loadable_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["snapshot", "--out", str(tmp_path), "--scale", "300", "--seed", "9"])
    assert result.exit_code == 0, result.output
    snapshot = load_snapshot(tmp_path)
    assert snapshot.manifest["scale"] == 300 and snapshot.records["households"]
