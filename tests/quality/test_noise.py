"""The golden county under noise: clean data holds nothing back; realistic noise is caught where it lands."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select

from hub.db.engine import session_factory
from hub.quality.results import run_quality
from hub.simulator.catalog import serve_county
from hub.simulator.model import County
from hub.simulator.profiles import fault_profile
from hub.simulator.truth import write_truth
from hub.warehouse.households.models import Household
from hub.warehouse.ingestion.models import QuarantinedRecord
from tests.quality.conftest import ingest


def test_realistic_noise_is_held_back_exactly_where_it_reaches_the_warehouse(
    golden_county: County, empty_engine: Engine, tmp_path: Path
) -> None:
    url = empty_engine.url.render_as_string(hide_password=False)
    assert ingest(golden_county, url, tmp_path / "var", noise="realistic").success
    truth = tmp_path / "truth"
    write_truth(serve_county(golden_county, noise="realistic"), out=truth, faults=fault_profile("none"))
    defects = [
        json.loads(line) for line in (truth / "defects.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    varied = {
        d["record_id"] for d in defects if d["kind"] == "address_variant" and d["stream"] == "households"
    }

    outcome = run_quality(engine=empty_engine, trigger="test")

    # What the loaders could not normalise is quarantined at mapping; what reaches the warehouse
    # passes every structural rule, and any household held back (no grid for its address) is one
    # whose address the source wrote differently.
    assert not any(s.structurally_broken for s in outcome.suites)
    assert all(r.reconciles for r in outcome.reconciliation)
    households = outcome.suite("households")
    held = {row for o in households.outcomes for row in o.failing_row_ids}
    with session_factory(empty_engine)() as session:
        flagged = set(
            session.scalars(select(Household.hh_no).where(Household.id.in_([int(i) for i in held])))
        )
        quarantined = session.scalars(select(QuarantinedRecord)).all()
    assert flagged <= varied
    assert quarantined, "realistic noise sends unknown codes and malformed records to quarantine"
    print(
        f"realistic: {len(defects)} defects injected, {len(quarantined)} records quarantined, "
        f"{sum(len(s.failing_row_ids) for s in outcome.suites)} rows held back by the suites"
    )


def test_clean_noise_quarantines_nothing_and_holds_nothing_back(loaded_engine: Engine) -> None:
    outcome = run_quality(engine=loaded_engine, trigger="test")
    with session_factory(loaded_engine)() as session:
        assert session.scalars(select(QuarantinedRecord)).all() == []
    assert not any(s.failing_row_ids for s in outcome.suites)
