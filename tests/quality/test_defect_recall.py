"""Realistic noise is caught kind by kind: every defect the simulator injects, traced through the truth.

The clean half of the same promise (clean noise quarantines nothing) is `test_noise.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from hub.db.engine import make_engine
from hub.quality.cli import app, defects_table
from hub.quality.defects import defect_recall
from hub.simulator.catalog import serve_county
from hub.simulator.model import County
from hub.simulator.profiles import fault_profile, noise_profile
from hub.simulator.truth import write_truth
from tests.conftest import LoadedWarehouse

MIN_RECALL = 0.99


@pytest.fixture(scope="module")
def realistic_truth(golden_county: County, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The truth behind what `noisy_load` ingested: the golden county served with realistic noise."""
    folder = tmp_path_factory.mktemp("truth-realistic")
    write_truth(serve_county(golden_county, noise="realistic"), out=folder, faults=fault_profile("none"))
    return folder


def test_every_kind_of_realistic_noise_is_caught(noisy_load: LoadedWarehouse, realistic_truth: Path) -> None:
    engine = make_engine(noisy_load.url)
    try:
        recall = defect_recall(engine=engine, truth_dir=realistic_truth, examples=10)
    finally:
        engine.dispose()
    Console(width=200).print(defects_table(recall))

    profile = {kind for kind, rate in noise_profile("realistic").rates.items() if rate > 0}
    judged = {kind.kind for kind in recall.kinds if kind.judged}
    assert profile <= judged, f"kinds never injected, or never judged: {sorted(profile - judged)}"
    below = {
        kind.kind: (
            f"{kind.caught}/{kind.judged}",
            [(m.record_id, m.field, m.finding) for m in kind.missed_examples],
        )
        for kind in recall.kinds
        if kind.recall < MIN_RECALL
    }
    assert not below, f"recall below {MIN_RECALL}: {below}"


def test_auditors_get_the_table_from_the_cli(noisy_load: LoadedWarehouse, realistic_truth: Path) -> None:
    arguments = ["defects", "--truth", str(realistic_truth), "--database-url", noisy_load.url]

    shown = CliRunner().invoke(app, [*arguments, "--min-recall", "0"])
    unmet = CliRunner().invoke(app, [*arguments, "--min-recall", "1.01"])

    assert shown.exit_code == 0, shown.output
    for kind in noise_profile("realistic").rates:
        assert kind in shown.output
    assert unmet.exit_code == 1, "a recall below --min-recall fails the command"
