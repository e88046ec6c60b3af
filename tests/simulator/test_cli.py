from __future__ import annotations

from typer.testing import CliRunner

from hub.simulator.cli import app


def test_serve_help_shows_the_golden_defaults() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    for option in ("--seed", "--scale", "--port", "--host", "20261126", "2000", "8700"):
        assert option in result.output
