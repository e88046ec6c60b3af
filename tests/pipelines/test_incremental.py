"""After simulated time moves on, an incremental run picks up exactly what changed."""

from __future__ import annotations

from pathlib import Path

from hub.simulator.catalog import serve_county
from hub.simulator.model import County
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from hub.simulator.timeline import advance_county, write_days
from hub.simulator.truth import fingerprint
from pipelines.runner import run_all_assets
from tests.support.snapshot import warehouse_rows
from tests.support.warehouse import hub_settings

DAYS = 20
# Simulator stream → (asset, stream name in the asset's metadata), for the streams read incrementally.
INCREMENTAL = {
    "households": ("public_security_households", "households"),
    "incidents": ("public_security_incidents", "incidents"),
    "benefits": ("civil_affairs_benefits", "benefits"),
    "assistance": ("civil_affairs_assistance", "assistance"),
    "mediations": ("justice_mediation_cases", "mediation_cases"),
    "corrections": ("justice_correction_subjects", "correction_subjects"),
    "petitions": ("petitions_feed", "petitions"),
}


def changed_records(before: County, after: County) -> dict[str, int]:
    """Per stream, the records served after the advance that were not served, as they are, before."""
    old, new = serve_county(before), serve_county(after)
    counts = {}
    for stream in INCREMENTAL:
        served_before = {fingerprint(listed.item) for listed in old.records[stream]}
        counts[stream] = sum(fingerprint(listed.item) not in served_before for listed in new.records[stream])
    return counts


def test_incremental_run_after_advance_publishes_exactly_the_changes(
    golden_county: County, database_url: str, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    write_days(state, 0)
    with running_simulator(county=golden_county, settings=SimulatorSettings(state_dir=str(state))) as url:
        settings = hub_settings(database_url=database_url, var_dir=tmp_path / "var", simulator_url=url)
        assert run_all_assets(settings=settings).success
        write_days(state, DAYS)
        result = run_all_assets(settings=settings)
        after_incremental = warehouse_rows(database_url)
        reload = run_all_assets(settings=settings, full_reload=True)

    assert result.success and reload.success
    expected = changed_records(golden_county, advance_county(golden_county, days=DAYS))
    assert sum(expected.values()) > 0, "twenty simulated days bring new and changed records"
    for stream, (asset, name) in INCREMENTAL.items():
        metadata = result.metadata[f"staging/{asset}"]
        taken = metadata[f"{name}.staged"] + metadata[f"{name}.quarantined"] + metadata[f"{name}.superseded"]
        assert taken == expected[stream], (stream, metadata)
    # Reading everything again from the start finds nothing the incremental run missed.
    assert warehouse_rows(database_url) == after_incremental
