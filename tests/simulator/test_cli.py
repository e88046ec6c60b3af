from __future__ import annotations

from typer.testing import CliRunner

from hub.simulator.cli import app


def test_serve_help_shows_the_golden_defaults() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    for option in ("--seed", "--scale", "--port", "--host", "20261126", "2000", "8700"):
        assert option in result.output


def test_serve_offers_the_noise_and_fault_profiles() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    for option in ("--noise", "--faults", "--slow-seconds", "--fault-log", "--state-dir", "--snapshot"):
        assert option in result.output
    for profile in ("clean", "realistic", "hostile", "none", "flaky"):
        assert profile in result.output


def test_unknown_profiles_are_refused() -> None:
    result = CliRunner().invoke(app, ["truth", "--out", "/tmp/never", "--noise", "loud"])
    assert result.exit_code != 0
