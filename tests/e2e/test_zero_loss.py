"""Nothing a department sends is lost: under noise and faults, every served record is accounted for.

The simulator's ground truth (`hub-simulator-truth/1`) names every record it served by the SHA-256
of the item; the warehouse lands each payload as received, so each truth record is traced to its
landing, then to core (published) or to quarantine, where its reason must answer a defect the
simulator really injected. A response that a fault renamed a field in (a bad deploy) carries the
same values under another key: such a record is traced by its values to its quarantined copy.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from hub.db.engine import make_engine
from hub.simulator.catalog import serve_county
from hub.simulator.model import County
from hub.simulator.profiles import fault_profile
from hub.simulator.server import running_simulator
from hub.simulator.settings import SimulatorSettings
from hub.simulator.truth import fingerprint, write_truth
from hub.warehouse.ingestion.models import QuarantinedRecord, RawRecord
from hub.warehouse.models import metadata
from pipelines.runner import run_all_assets
from tests.support.warehouse import hub_settings

pytestmark = pytest.mark.e2e


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def values_signature(item: dict[str, Any]) -> str:
    """The item's values without their keys: what survives a renamed field."""
    values = sorted(orjson.dumps(value, option=orjson.OPT_SORT_KEYS) for value in item.values())
    return hashlib.sha256(b"\n".join(values)).hexdigest()


def accounted(
    database_url: str,
) -> tuple[dict[str, tuple[str, str]], set[tuple[str, str]], set[tuple[str, str]], set[str]]:
    """Landed payloads by SHA-256 → (department, record id); records in core; records in quarantine;
    the values signatures of quarantined payloads."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            landed = {
                hashlib.sha256(payload.encode()).hexdigest(): (system, record_id)
                for system, record_id, payload in connection.execute(
                    select(RawRecord.source_system, RawRecord.source_record_id, RawRecord.payload)
                )
            }
            in_core: set[tuple[str, str]] = set()
            for table in metadata.tables.values():
                if {"source_system", "source_record_id", "row_hash"} <= set(table.c.keys()):
                    in_core.update(
                        connection.execute(select(table.c.source_system, table.c.source_record_id))
                    )
            quarantined: set[tuple[str, str]] = set()
            drifted: set[str] = set()
            rows = select(
                QuarantinedRecord.source_system, QuarantinedRecord.source_record_id, QuarantinedRecord.payload
            )
            for system, record_id, payload in connection.execute(rows):
                quarantined.add((system, record_id))
                if payload:
                    drifted.add(values_signature(orjson.loads(payload)))
    finally:
        engine.dispose()
    return landed, in_core, quarantined, drifted


@pytest.mark.parametrize(("noise", "faults"), [("realistic", "flaky"), ("hostile", "hostile")])
def test_every_served_record_is_published_or_quarantined_for_an_injected_defect(
    golden_county: County, database_url: str, tmp_path: Path, noise: str, faults: str
) -> None:
    truth = tmp_path / "truth"
    served = serve_county(golden_county, noise=noise)
    write_truth(served, out=truth, faults=fault_profile(faults))
    items = {
        fingerprint(listed.item): listed.item for listing in served.records.values() for listed in listing
    }
    settings = SimulatorSettings(noise=noise, faults=faults, fault_slow_seconds=1.5)
    with running_simulator(county=golden_county, settings=settings) as url:
        hub = hub_settings(database_url=database_url, var_dir=tmp_path / "var", simulator_url=url)
        result = run_all_assets(settings=hub.model_copy(update={"source_timeout_seconds": 1.0}))
    assert result.success and all(result.checks.values()), result.checks

    landed, in_core, quarantined, drifted = accounted(database_url)
    defects: dict[tuple[str, str], list[str]] = defaultdict(list)
    for defect in read_lines(truth / "defects.jsonl"):
        defects[(defect["stream"], defect["record_id"])].append(defect["kind"])
    lost, unexplained = [], []
    for record in read_lines(truth / "records.jsonl"):
        where = landed.get(record["fingerprint"])
        if where is None or where not in in_core | quarantined:
            if values_signature(items[record["fingerprint"]]) not in drifted:
                lost.append((record["stream"], record["record_id"]))
        elif (
            where in quarantined
            and where not in in_core
            and not defects[(record["stream"], record["record_id"])]
        ):
            unexplained.append((record["stream"], record["record_id"]))

    assert lost == [], f"{len(lost)} served records neither published nor quarantined: {lost[:10]}"
    assert unexplained == [], f"quarantined without an injected defect: {unexplained[:10]}"
    assert quarantined, "this noise profile injects defects that cannot be published"
