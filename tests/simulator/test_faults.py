"""Fault profiles: decided by rule, at their rates, bounded so that a retrying client gets through."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import orjson
import requests

from hub.simulator import County, SimulatorSettings
from hub.simulator.catalog import STREAMS
from hub.simulator.faults import applicable_faults, decide_fault
from hub.simulator.profiles import FAULT_KINDS, FAULT_PROFILES
from hub.simulator.server import running_simulator
from tests.simulator.harvest import Harvester


def test_faults_strike_at_the_profiles_rates() -> None:
    for profile in (FAULT_PROFILES["flaky"], FAULT_PROFILES["hostile"]):
        seen: Counter[str] = Counter()
        eligible: Counter[str] = Counter()
        for stream in STREAMS:
            for page in range(400):
                query = f"limit=50&offset={page * 50}"
                for kind in applicable_faults("GET", stream.path, query):
                    eligible[kind] += 1
                fault = decide_fault(
                    seed=7, profile=profile, method="GET", path=stream.path, query=query, attempt=0
                )
                if fault is not None:
                    seen[fault] += 1
        for kind in FAULT_KINDS:
            rate, n = profile.rates[kind], eligible[kind]
            assert abs(seen[kind] - rate * n) <= 4 * math.sqrt(n * rate * (1 - rate)) + 1, (
                profile.name,
                kind,
            )


def test_a_request_fails_at_most_max_consecutive_times_in_a_row() -> None:
    for profile in FAULT_PROFILES.values():
        for page in range(300):
            decision = decide_fault(
                seed=3,
                profile=profile,
                method="GET",
                path="/justice/api/mediationCases",
                query=f"pageNo={page}",
                attempt=profile.max_consecutive,
            )
            assert decision is None


def test_decisions_ignore_parameter_order() -> None:
    profile = FAULT_PROFILES["hostile"]
    decisions = {
        decide_fault(seed=1, profile=profile, method="GET", path="/registry/grids", query=q, attempt=0)
        for q in ("offset=100&limit=50", "limit=50&offset=100")
    }
    assert len(decisions) == 1


def test_a_retrying_client_reads_everything_through_hostile_faults(
    golden_county: County, http: requests.Session, tmp_path: Path
) -> None:
    log = tmp_path / "faults.jsonl"
    settings = SimulatorSettings(
        faults="hostile", fault_log_path=str(log), fault_slow_seconds=0.4, fault_retry_after_seconds=0
    )
    clean = Harvester("", SimulatorSettings(), http)
    with running_simulator(county=golden_county) as base_url:
        clean.base_url = base_url
        expected = clean.run().items
    with running_simulator(county=golden_county, settings=settings) as base_url:
        harvest = Harvester(base_url, settings, http, timeout=0.2).run()
    kinds = Counter(orjson.loads(line)["kind"] for line in log.read_bytes().splitlines())
    assert set(kinds) == set(FAULT_KINDS), kinds
    assert harvest.retries > 0
    for stream, items in expected.items():
        received = harvest.items[stream]
        # Repeated items come twice; nothing is lost and nothing unknown arrives.
        assert {orjson.dumps(i, option=orjson.OPT_SORT_KEYS) for i in received} == {
            orjson.dumps(i, option=orjson.OPT_SORT_KEYS) for i in items
        }, stream


def test_the_none_profile_serves_without_faults(simulator_url: str, http: requests.Session) -> None:
    responses = [
        http.get(simulator_url + "/registry/grids", params={"offset": n * 5, "limit": 5}) for n in range(40)
    ]
    assert all(response.status_code == 200 for response in responses)
