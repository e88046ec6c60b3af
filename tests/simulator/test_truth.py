"""Ground truth: every served record of the golden county (realistic noise, flaky faults) is explained."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests
from typer.testing import CliRunner

from hub.simulator import GOLDEN_SEED, County, SimulatorSettings
from hub.simulator.catalog import serve_county
from hub.simulator.cli import app
from hub.simulator.profiles import FAULT_PROFILES
from hub.simulator.server import running_simulator
from hub.simulator.truth import fingerprint, write_truth
from tests.simulator.harvest import Harvester

_FILES = (
    "manifest.json",
    "persons.jsonl",
    "households.jsonl",
    "cases.jsonl",
    "records.jsonl",
    "defects.jsonl",
    "totals.json",
)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def truth_dir(golden_county: County, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("truth")
    write_truth(serve_county(golden_county, noise="realistic"), out=out, faults=FAULT_PROFILES["flaky"])
    return out


def test_truth_folder_holds_every_documented_file(truth_dir: Path) -> None:
    assert sorted(path.name for path in truth_dir.iterdir()) == sorted(_FILES)
    manifest = orjson.loads((truth_dir / "manifest.json").read_bytes())
    assert manifest["format"] == "hub-simulator-truth/1"
    assert (manifest["seed"], manifest["noise"], manifest["faults"]) == (GOLDEN_SEED, "realistic", "flaky")


def test_every_served_record_is_explained_by_the_truth(
    golden_county: County, truth_dir: Path, http: requests.Session
) -> None:
    settings = SimulatorSettings(
        noise="realistic", faults="flaky", fault_slow_seconds=0.4, fault_retry_after_seconds=0
    )
    with running_simulator(county=golden_county, settings=settings) as base_url:
        harvest = Harvester(base_url, settings, http, timeout=0.2).run()
    records = _lines(truth_dir / "records.jsonl")
    persons = {row["key"] for row in _lines(truth_dir / "persons.jsonl")}
    entities = {f"household:{row['hh_no']}" for row in _lines(truth_dir / "households.jsonl")}
    entities |= {f"case:{row['case_no']}" for row in _lines(truth_dir / "cases.jsonl")}
    by_stream: dict[str, Counter[str]] = {}
    for row in records:
        by_stream.setdefault(row["stream"], Counter())[row["fingerprint"]] += 1
        assert set(row["persons"]) <= persons
        kind = row["entity"].split(":")[0]
        if kind in ("household", "case"):
            assert row["entity"] in entities, row
    for stream, items in harvest.items.items():
        received = Counter(fingerprint(item) for item in items)
        # Every record received is one the truth lists, and every listed record was received.
        assert set(received) == set(by_stream[stream]), stream
    defects = _lines(truth_dir / "defects.jsonl")
    listed = {(row["stream"], row["record_id"]) for row in records}
    assert defects and all((d["stream"], d["record_id"]) in listed for d in defects)


def test_totals_match_the_records_and_defects(truth_dir: Path) -> None:
    totals = orjson.loads((truth_dir / "totals.json").read_bytes())
    records = Counter(row["stream"] for row in _lines(truth_dir / "records.jsonl"))
    defects = Counter(row["stream"] for row in _lines(truth_dir / "defects.jsonl"))
    for streams in totals.values():
        for stream, figures in streams.items():
            assert figures["records"] == records[stream]
            assert sum(figures["defects"].values()) == defects[stream]


def test_truth_command_writes_identical_bytes_for_the_same_seed(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("a", "b"):
        args = ["truth", "--out", str(tmp_path / name), "--scale", "300", "--seed", "5", "--noise", "hostile"]
        assert runner.invoke(app, args).exit_code == 0
    for file in _FILES:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
