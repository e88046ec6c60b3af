"""The auditors' report: renders with and without runs, masks personal data, loads nothing from outside."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, text
from starlette.staticfiles import StaticFiles

from hub.db.engine import session_factory
from hub.quality.report import build_report, write_report
from hub.quality.results import run_quality
from hub.quality.service import get_quality_run, list_held_rows, list_quality_runs
from hub.simulator.server import serving
from tests.support.browser import chromium_available, render_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
browser = pytest.mark.skipif(
    not chromium_available() and not os.environ.get("CI"),
    reason="needs the Debian package 'chromium' (`make test` installs it; in CI a missing one fails)",
)


def _write(engine: Engine, out: Path) -> list[Path]:
    with session_factory(engine)() as session:
        return write_report(build_report(session=session), out)


def test_report_on_a_warehouse_without_runs_says_so(empty_engine: Engine, tmp_path: Path) -> None:
    written = _write(empty_engine, tmp_path)

    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No quality run yet" in page
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["run"] is None
    assert {p.name for p in written} >= {"report.html", "report.json", "results.csv", "reconciliation.csv"}


def test_report_shows_summary_trend_rules_and_masked_rows(loaded_engine: Engine, tmp_path: Path) -> None:
    run_quality(engine=loaded_engine, trigger="test")
    with loaded_engine.begin() as connection:
        person = connection.execute(text("SELECT id, name, id_number FROM persons ORDER BY id LIMIT 1")).one()
        connection.execute(text("UPDATE persons SET ethnicity = '59' WHERE id = :id"), {"id": person.id})
    run_quality(engine=loaded_engine, trigger="test")

    _write(loaded_engine, tmp_path)

    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for section in ("summary", "tables", "sources", "trend", "rules", "reconciliation"):
        assert f"id='{section}'" in page
    assert "persons.ethnicity_known" in page and "<svg" in page
    assert person.id_number not in page and person.id_number[:6] + "********" + person.id_number[-4:] in page
    assert f'"name":"{person.name}"' not in page and person.name[0] + "*" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page and "url(" not in page
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["status"] == "warned" and len(report["trend"]) == 2
    assert report["samples"]["persons.ethnicity_known"][0]["values"]["id_number"] != person.id_number
    with (tmp_path / "reconciliation.csv").open(encoding="utf-8-sig") as handle:
        assert all(row["reconciles"] == "True" for row in csv.DictReader(handle))


def test_one_pipeline_run_reports_its_staging_and_core_checks_side_by_side(
    loaded_engine: Engine, tmp_path: Path
) -> None:
    run_quality(engine=loaded_engine, run_id="run-1", trigger="pipeline", layer="staging")
    run_quality(engine=loaded_engine, run_id="run-1", trigger="pipeline", layer="core")

    _write(loaded_engine, tmp_path)

    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    layers = {t["table_name"]: t["layer"] for t in report["tables"]}
    assert layers["stg_households"] == "staging" and layers["households"] == "core"
    # Staging first, as the checks ran; one run holding both layers, counted once each.
    assert [t["layer"] for t in report["tables"]] == sorted(layers.values(), key=["staging", "core"].index)
    assert len(report["trend"]) == 1 and report["run"]["suites"] == len(layers)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "before publishing" in page and "after publishing" in page


def test_service_pages_runs_and_masks_held_rows(loaded_engine: Engine) -> None:
    with loaded_engine.begin() as connection:
        connection.execute(text("UPDATE persons SET ethnicity = '59' WHERE id <= 3"))
    outcome = run_quality(engine=loaded_engine, trigger="test")
    with session_factory(loaded_engine)() as session:
        runs = list_quality_runs(session=session)
        detail = get_quality_run(session=session, dq_run_id=outcome.dq_run_id)
        held = list_held_rows(session=session, dq_run_id=outcome.dq_run_id, first=2)
        rest = list_held_rows(session=session, dq_run_id=outcome.dq_run_id, after_id=held[-1].id)
    assert [r.run_id for r in runs] == [outcome.run_id] and detail is not None
    assert len(held) == 2 and len(rest) == 1
    assert all("*" in h.values["name"] and "*" in h.values["id_number"] for h in [*held, *rest])


@browser
@pytest.mark.browser
def test_report_renders_in_chromium_without_leaving_loopback(loaded_engine: Engine, tmp_path: Path) -> None:
    run_quality(engine=loaded_engine, trigger="test")
    with loaded_engine.begin() as connection:
        connection.execute(text("UPDATE persons SET ethnicity = '59' WHERE id <= 3"))
    run_quality(engine=loaded_engine, trigger="test")
    _write(loaded_engine, tmp_path)
    shot = ARTIFACTS / f"quality-report-{loaded_engine.dialect.name}.png"

    with serving(StaticFiles(directory=tmp_path)) as url:
        render = render_page(f"{url}/report.html", screenshot=shot, window_size=(1400, 2400))
        dom = render_page(f"{url}/report.html", dump_dom=True).dom or ""

    assert {urlsplit(u).hostname for u in render.requested_urls} == {"127.0.0.1"}, render.requested_urls
    assert render.failed_requests == []
    assert render.screenshot == shot and shot.stat().st_size > 20_000
    assert "Top failing rules" in dom and "persons.ethnicity_known" in dom
