"""`advance`: simulated time moves on, records change and appear, and a running server follows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import requests
from typer.testing import CliRunner

from hub.simulator import SIM_NOW, County, SimulatorSettings
from hub.simulator.catalog import serve_county
from hub.simulator.cli import app
from hub.simulator.server import running_simulator
from hub.simulator.timeline import advance_county, read_days, write_days
from hub.simulator.truth import fingerprint

_DAYS = 120


def test_zero_days_is_the_generated_county(golden_county: County) -> None:
    assert advance_county(golden_county, days=0) is golden_county


def test_advancing_changes_and_adds_records(golden_county: County) -> None:
    later = advance_county(golden_county, days=_DAYS)
    assert later.now == SIM_NOW + dt.timedelta(days=_DAYS)
    assert len(later.incidents) > len(golden_county.incidents)  # new incidents
    assert len(later.persons) > len(golden_county.persons)  # births
    assert any(household.moved_at for household in later.households)  # moves
    before = {case.incident_no: case for case in golden_county.incidents}
    closed = [
        c
        for c in later.incidents
        if c.incident_no in before and c.closed_at and not before[c.incident_no].closed_at
    ]
    assert closed  # open cases closed
    changed_petitions = [p for p, q in zip(golden_county.petitions, later.petitions, strict=False) if p != q]
    assert changed_petitions and all(
        len(q.versions) >= len(p.versions)
        for p, q in zip(golden_county.petitions, later.petitions, strict=False)
    )
    for person in later.persons:
        assert person.birth_date <= later.now.date()
    for household in later.households:
        assert household.updated_at <= later.now
        assert all(member.person_key in later.persons_by_key for member in household.members)


def test_advancing_is_deterministic(golden_county: County) -> None:
    assert advance_county(golden_county, days=30) == advance_county(golden_county, days=30)


def test_advance_command_accumulates_days(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["advance", "--days", "3", "--state-dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["advance", "--days", "4", "--state-dir", str(tmp_path)]).exit_code == 0
    assert read_days(tmp_path) == 7


def test_a_running_server_follows_the_state_folder(
    golden_county: County, http: requests.Session, tmp_path: Path
) -> None:
    settings = SimulatorSettings(state_dir=str(tmp_path))
    auth = {"Authorization": f"Token {settings.petitions_token}"}
    with running_simulator(county=golden_county, settings=settings) as base_url:
        url = base_url + "/registry/addresses"
        params = {"updated_since": SIM_NOW.isoformat(), "limit": "1000"}
        fresh = http.get(url, params=params).json()
        assert fresh["total"] == 0
        write_days(tmp_path, _DAYS)
        moved = http.get(url, params=params).json()
        assert moved["total"] > 0  # moved households, served from the new day on
        feed = http.get(base_url + "/petitions/feed", headers=auth, params={"limit": "500"})
        assert feed.status_code == 200


def test_every_change_an_advance_brings_is_dated_after_the_county_it_advanced(golden_county: County) -> None:
    # Otherwise a client asking "what changed since my last read" could never be told of it.
    before = serve_county(golden_county)
    after = serve_county(advance_county(golden_county, days=20))
    for stream, listing in after.records.items():
        served = {fingerprint(listed.item) for listed in before.records[stream]}
        late = [
            listed.key
            for listed in listing
            if fingerprint(listed.item) not in served and listed.changed <= SIM_NOW
        ]
        assert late == [], (stream, late[:5])
