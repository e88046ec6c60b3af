"""Data quality for auditors (DESIGN §8, §9): runs, results, reconciliation, held and quarantined rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from hub.api.ids import to_global_id
from hub.quality.results import run_quality
from hub.simulator.model import County
from hub.warehouse.viewer import Role, Viewer
from tests.api.paging import every_node
from tests.conftest import LoadedWarehouse
from tests.support.databases import copy_of
from tests.support.graphql import counting_statements, execute, warehouse_engine

AUDITOR = Viewer(user_id="auditor-1", role=Role.AUDITOR)
GRID_WORKER = Viewer(user_id="gw", role=Role.GRID_WORKER, scope_codes=("330122001001001",))

RUNS = """query($first: Int!, $after: String) {
  qualityRuns(first: $first, after: $after) {
    edges { cursor node { id runId trigger status startedAt expectations expectationsFailed passRate
      rowsChecked rowsFailed } }
    pageInfo { hasNextPage endCursor }
  }
}"""
RUN = """query($id: ID, $rule: String) {
  qualityRun(id: $id) {
    run { id status passRate rowsFailed }
    suites { suite table version success results { rule level success unexpectedCount reason } }
    reconciliation { sourceSystem stream landed published quarantined unaccounted flagged reconciles }
    heldRows(first: 100, rule: $rule) {
      edges { node { table rowId rule reason sourceSystem sourceRecordId values } }
    }
  }
}"""
PLANTED_RULE = "persons.ethnicity_known"
QUARANTINE = """query($after: String, $first: Int! = 100, $filter: QuarantineFilterInput) {
  quarantinedRecords(first: $first, after: $after, filter: $filter) {
    edges { node { sourceSystem stream sourceRecordId rule reason runId quarantinedAt payload } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture(scope="module")
def audited(noisy_load: LoadedWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The noisy golden county with records quarantined by the pipelines, and two quality runs: one on
    the data as loaded, then one after three persons were given an ethnicity code outside GB/T 3304.
    Noise never gets that far (the loaders quarantine it), so the defect is planted for the suites to
    hold rows back. The runs are recorded here rather than taken from the pipeline: a SQLite copy of
    the template can miss the pipeline's own run while it is still in the write-ahead log."""
    with (
        copy_of(noisy_load.url, tmp_path_factory.mktemp("quality-api")) as url,
        warehouse_engine(url) as engine,
    ):
        run_quality(engine=engine, trigger="test")
        with engine.begin() as connection:
            first_three = "SELECT id FROM persons ORDER BY id LIMIT 3"
            connection.execute(text(f"UPDATE persons SET ethnicity = '59' WHERE id IN ({first_three})"))
        run_quality(engine=engine, trigger="test")
        yield engine


def _runs(engine: Engine, *, first: int = 100, after: str | None = None) -> dict[str, Any]:
    result = execute(RUNS, engine=engine, viewer=AUDITOR, variables={"first": first, "after": after})
    assert result.errors is None, result.errors
    return dict(result.data["qualityRuns"])


def _run(engine: Engine, run_id: str | None = None, *, rule: str | None = None) -> dict[str, Any]:
    result = execute(RUN, engine=engine, viewer=AUDITOR, variables={"id": run_id, "rule": rule})
    assert result.errors is None, result.errors
    return dict(result.data["qualityRun"])


def _personal_data(county: County) -> set[str]:
    """Every real person's full name, ID number and mobile number."""
    return {
        value
        for person in county.persons
        for value in (person.name, person.id_number, person.phone)
        if value is not None
    }


def _failing(run: dict[str, Any]) -> set[tuple[str, str, str, int]]:
    """(suite, rule, level, rows) of every rule that did not hold in the run."""
    return {
        (s["suite"], r["rule"], r["level"], r["unexpectedCount"])
        for s in run["suites"]
        for r in s["results"]
        if not r["success"]
    }


def test_auditor_sees_runs_newest_first_with_their_pass_rates(audited: Engine) -> None:
    planted, as_loaded = [edge["node"] for edge in _runs(audited)["edges"]][:2]

    assert planted["startedAt"] > as_loaded["startedAt"] and planted["status"] == "WARNED"
    assert planted["expectationsFailed"] == as_loaded["expectationsFailed"] + 1
    assert planted["rowsFailed"] == as_loaded["rowsFailed"] + 3
    assert planted["passRate"] < as_loaded["passRate"]
    for run in (planted, as_loaded):
        assert run["passRate"] == pytest.approx(1 - run["expectationsFailed"] / run["expectations"])


def test_runs_page_by_cursor_and_a_page_costs_one_statement(audited: Engine) -> None:
    everything = [edge["node"]["id"] for edge in _runs(audited)["edges"]]

    paged = every_node(RUNS, "qualityRuns", engine=audited, viewer=AUDITOR, variables={"first": 1})
    with counting_statements(audited) as statements:
        _runs(audited, first=1)

    assert [run["id"] for run in paged] == everything
    assert len(statements) == 1


def test_more_than_a_hundred_runs_a_page_is_refused_with_the_limit(audited: Engine) -> None:
    result = execute(RUNS, engine=audited, viewer=AUDITOR, variables={"first": 101})

    assert result.errors and result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert result.errors[0].message == "first must be between 1 and 100, got 101"


def test_a_run_gives_its_results_per_suite_and_rule_and_the_rows_it_held_back(audited: Engine) -> None:
    latest, as_loaded = [edge["node"] for edge in _runs(audited)["edges"]][:2]

    run = _run(audited, latest["id"], rule=PLANTED_RULE)
    before = _run(audited, as_loaded["id"])

    assert run == _run(audited, rule=PLANTED_RULE)  # without an id: the latest run
    assert run["run"] == {key: latest[key] for key in ("id", "status", "passRate", "rowsFailed")}
    assert _failing(run) - _failing(before) == {("persons", PLANTED_RULE, "ROW", 3)}
    assert sum(len(s["results"]) for s in run["suites"]) == latest["expectations"]
    persons = next(s for s in run["suites"] if s["suite"] == "persons")
    assert persons["table"] == "persons" and not persons["success"]
    held = [edge["node"] for edge in run["heldRows"]["edges"]]
    assert len(held) == 3 and {(h["table"], h["rule"]) for h in held} == {("persons", PLANTED_RULE)}
    assert all(h["values"]["ethnicity"] == "59" and h["reason"] for h in held)


def test_held_rows_page_by_cursor_and_filter_by_rule(audited: Engine) -> None:
    run_id = _runs(audited)["edges"][0]["node"]["id"]
    query = """query($id: ID, $after: String, $rule: String) {
      qualityRun(id: $id) { heldRows(first: 2, after: $after, rule: $rule) {
        edges { node { rowId } } pageInfo { hasNextPage endCursor } } }
    }"""

    def held(rule: str, after: str | None = None) -> dict[str, Any]:
        variables = {"id": run_id, "rule": rule, "after": after}
        return dict(
            execute(query, engine=audited, viewer=AUDITOR, variables=variables).data["qualityRun"]["heldRows"]
        )

    first = held(PLANTED_RULE)
    rest = held(PLANTED_RULE, first["pageInfo"]["endCursor"])

    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    assert len(rest["edges"]) == 1 and not rest["pageInfo"]["hasNextPage"]
    assert held("persons.name_chinese")["edges"] == []


def test_reconciliation_accounts_for_every_landed_record_of_each_source_stream(audited: Engine) -> None:
    run_as_loaded = _runs(audited)["edges"][1]["node"]["id"]
    quarantined = every_node(QUARANTINE, "quarantinedRecords", engine=audited, viewer=AUDITOR)

    streams = _run(audited, run_as_loaded)["reconciliation"]

    assert streams and all(s["reconciles"] and s["unaccounted"] == 0 for s in streams)
    assert all(s["landed"] == s["published"] + s["quarantined"] for s in streams)
    by_stream = {(s["sourceSystem"], s["stream"]): s["quarantined"] for s in streams if s["quarantined"]}
    assert by_stream == {
        key: len({q["sourceRecordId"] for q in quarantined if (q["sourceSystem"], q["stream"]) == key})
        for key in {(q["sourceSystem"], q["stream"]) for q in quarantined}
    }


def test_quarantined_records_carry_rule_reason_and_run_and_filter_by_source_stream_rule(
    audited: Engine, noisy_load: LoadedWarehouse
) -> None:
    def quarantined(**variables: Any) -> list[dict[str, Any]]:
        return every_node(
            QUARANTINE, "quarantinedRecords", engine=audited, viewer=AUDITOR, variables=variables
        )

    everything = quarantined()
    one = everything[0]
    key = (one["sourceSystem"], one["stream"], one["rule"])

    assert everything and all(
        q["rule"] and q["reason"] and q["runId"] == noisy_load.result.run_id for q in everything
    )
    assert quarantined(first=2) == everything
    of_rule = quarantined(filter={"sourceSystem": key[0], "stream": key[1], "rule": key[2]})
    assert of_rule == [q for q in everything if (q["sourceSystem"], q["stream"], q["rule"]) == key]
    assert 0 < len(of_rule) < len(everything)
    assert quarantined(filter={"sourceSystem": key[0]}) == [
        q for q in everything if q["sourceSystem"] == key[0]
    ]
    assert quarantined(filter={"stream": "no_such_stream"}) == []


def test_no_real_persons_name_id_or_phone_number_reaches_the_auditor(
    audited: Engine, golden_county: County
) -> None:
    quarantined = every_node(QUARANTINE, "quarantinedRecords", engine=audited, viewer=AUDITOR)
    run = _run(audited)
    answer = json.dumps([quarantined, run], ensure_ascii=False)

    leaked = sorted(value for value in _personal_data(golden_county) if value in answer)

    assert leaked == []
    members = [m for q in quarantined if q["payload"] for m in q["payload"].get("members", [])]
    persons = [h["node"]["values"] for h in run["heldRows"]["edges"] if h["node"]["table"] == "persons"]
    assert members and all("*" in m["name"] and "*" in m["id_no"] for m in members)
    assert persons and all("*" in p["name"] and "*" in p["identity_key"] for p in persons)


def test_a_run_can_be_refetched_as_a_node(audited: Engine) -> None:
    run_id = _runs(audited)["edges"][0]["node"]["id"]

    result = execute(
        "query($id: ID!) { node(id: $id) { __typename ... on QualityRun { status } } }",
        engine=audited,
        viewer=AUDITOR,
        variables={"id": run_id},
    )

    assert result.data == {"node": {"__typename": "QualityRun", "status": "WARNED"}}
    missing = execute(
        RUN, engine=audited, viewer=AUDITOR, variables={"id": to_global_id("QualityRun", 10_000)}
    )
    assert missing.errors is None and missing.data == {"qualityRun": None}


@pytest.mark.parametrize(
    "query",
    [
        "{ qualityRuns { edges { node { id } } } }",
        "{ qualityRun { run { id } } }",
        "{ quarantinedRecords { edges { node { rule } } } }",
        f'{{ node(id: "{to_global_id("QualityRun", 1)}") {{ id }} }}',
    ],
    ids=["qualityRuns", "qualityRun", "quarantinedRecords", "node"],
)
def test_a_grid_worker_is_refused_the_quality_history(audited: Engine, query: str) -> None:
    result = execute(query, engine=audited, viewer=GRID_WORKER)

    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
    assert "only auditors and administrators" in result.errors[0].message


def test_an_administrator_reads_the_quality_history_too(audited: Engine) -> None:
    result = execute("{ qualityRuns(first: 1) { edges { node { status } } } }", engine=audited)

    assert result.errors is None and result.data["qualityRuns"]["edges"] == [{"node": {"status": "WARNED"}}]
