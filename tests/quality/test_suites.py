"""The suite files: one per core table, every rule named, levelled and explained, all accepted by GX."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from hub.quality.suites import ChangedWith, InvalidSuite, Reference, load_suite, load_suites, suite_parameters
from hub.warehouse import models

CORE_TABLES = {
    "persons", "households", "household_members", "person_tags", "cases", "case_parties", "case_links",
    "case_events", "divisions", "grids", "grid_workers", "grid_addresses", "household_ratings",
    "moral_point_entries",
}  # fmt: skip


def test_there_is_one_suite_per_core_table() -> None:
    suites = load_suites(layer="core")
    assert sorted(s.table for s in suites) == sorted(CORE_TABLES)
    assert all(s.table in models.metadata.tables for s in suites)


def test_every_rule_is_named_after_its_table_and_says_why_it_matters() -> None:
    for suite in load_suites():
        for rule in suite.rules:
            assert rule.rule.startswith(f"{suite.table}."), rule.rule
            assert rule.level in ("row", "batch") and len(rule.reason) > 15


def test_code_lists_come_from_the_reference_tables() -> None:
    names = {name for suite in load_suites() for name in suite.parameters}
    values = suite_parameters(names, today=dt.date(2026, 11, 26))
    assert values["ref__sex__code"] == ["0", "1", "2", "9"] or "1" in values["ref__sex__code"]
    assert "02" in values["ref__family_relation__code"] and "resolved" in values["ref__case_statuses__status"]
    assert values["run__today"] == "2026-11-26"


def test_great_expectations_accepts_every_expectation() -> None:
    import great_expectations as gx

    for suite in load_suites():
        gx_suite = gx.ExpectationSuite(
            name=suite.name, expectations=[dict(e) for e in suite.document["expectations"]]
        )
        assert len(gx_suite.expectations) == len(suite.rules), suite.path.name


def test_adding_a_rule_is_editing_a_file(tmp_path: Path) -> None:
    document = json.loads((load_suites()[0].path).read_text(encoding="utf-8"))
    document["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "id"},
            "meta": {
                "rule": f"{document['name']}.id_present",
                "level": "row",
                "reason": "a row without its id",
            },
        }
    )
    (tmp_path / "suite.json").write_text(json.dumps(document), encoding="utf-8")
    assert load_suites(tmp_path)[0].rules[-1].rule.endswith(".id_present")


def test_a_rule_without_level_or_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {"name": "x", "meta": {"hub": {"table": "x"}}, "expectations": [{"type": "t", "kwargs": {}}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidSuite):
        load_suite(path)


def suite_of(tmp_path: Path, *expectations: dict[str, Any]) -> Path:
    """A suite of table `t` with these expectations, each named after its position."""
    path = tmp_path / "t.json"
    named = [{**e, "meta": {**e["meta"], "rule": f"t.rule_{n}"}} for n, e in enumerate(expectations)]
    document = {"name": "t", "meta": {"hub": {"table": "t"}}, "expectations": named}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def rule(type_: str, kwargs: dict[str, Any], level: str = "row", **meta: str) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "meta": {"level": level, "reason": "r", **meta}}


def test_row_local_and_uniqueness_rules_check_changed_rows_and_the_rest_whole_tables(tmp_path: Path) -> None:
    codes = {"column": "c", "value_set": ["1"]}
    today = {"column": "d", "max_value": {"$PARAMETER": "run__today"}}
    suite = load_suite(
        suite_of(
            tmp_path,
            rule("expect_column_values_to_be_in_set", codes),
            rule("expect_column_values_to_be_between", today),
            rule("expect_column_values_to_not_be_null", {"column": "c", "mostly": 0.9}),
            rule("expect_column_values_to_be_unique", {"column": "c"}, level="batch"),
            rule(
                "unexpected_rows_expectation", {"unexpected_rows_query": "SELECT id FROM {batch} WHERE c = d"}
            ),
            rule(
                "unexpected_rows_expectation",
                {"unexpected_rows_query": "SELECT id FROM {batch}"},
                scope="changed",
            ),
            rule("expect_column_values_to_match_regex", {"column": "c", "regex": "^1$"}, scope="table"),
        )
    )
    assert [r.scope for r in suite.rules] == [
        "changed",
        "table",
        "table",
        "changed",
        "table",
        "changed",
        "table",
    ]


@pytest.mark.parametrize(
    "refused",
    [
        rule("expect_column_values_to_be_unique", {"column": "c", "mostly": 0.99}, scope="changed"),
        rule("expect_table_row_count_to_be_between", {"min_value": 1}, level="batch", scope="changed"),
        rule(
            "unexpected_rows_expectation",
            {"unexpected_rows_query": "SELECT id FROM {batch} WHERE date(d) > CURRENT_DATE"},
            scope="changed",
        ),
        rule(
            "expect_column_values_to_be_between",
            {"column": "d", "max_value": {"$PARAMETER": "run__today"}},
            scope="changed",
        ),
        rule("expect_column_values_to_be_in_set", {"column": "c", "value_set": ["1"]}, scope="rows"),
    ],
)
def test_a_rule_the_changed_rows_cannot_decide_may_not_check_them_only(
    tmp_path: Path, refused: dict[str, Any]
) -> None:
    with pytest.raises(InvalidSuite, match="scope"):
        load_suite(suite_of(tmp_path, refused))


def suite_with_hub_meta(tmp_path: Path, key: str, value: Any) -> Path:
    """A one-rule suite file whose `meta.hub` also says `key`."""
    path = suite_of(tmp_path, rule("expect_column_values_to_not_be_null", {"column": "c"}))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["meta"]["hub"][key] = value
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_suite_names_the_rows_its_rows_change_with(tmp_path: Path) -> None:
    path = suite_with_hub_meta(tmp_path, "changed_with", {"group": "case_id", "tables": {"cases": "id"}})

    assert load_suite(path).changed_with == ChangedWith(group="case_id", tables={"cases": "id"})
    core = {suite.table: suite for suite in load_suites(layer="core")}
    assert core["case_events"].changed_with == ChangedWith(group="case_id", tables={"cases": "id"})
    assert core["persons"].changed_with is None


@pytest.mark.parametrize(
    "given",
    [{"group": "case_id"}, {"tables": {"cases": "id"}}, "case_id", {"group": "", "tables": {"cases": "id"}}],
)
def test_a_group_that_does_not_say_which_rows_is_refused(tmp_path: Path, given: Any) -> None:
    path = suite_with_hub_meta(tmp_path, "changed_with", given)

    with pytest.raises(InvalidSuite, match="changed_with"):
        load_suite(path)


def test_a_suite_names_the_rows_its_rows_name(tmp_path: Path) -> None:
    path = suite_with_hub_meta(
        tmp_path, "references", {"person_id": "persons.id", "household_id": "households.id"}
    )

    assert load_suite(path).references == (
        Reference(column="person_id", table="persons", target="id"),
        Reference(column="household_id", table="households", target="id"),
    )
    core = {suite.table: suite for suite in load_suites(layer="core")}
    assert Reference(column="person_id", table="persons", target="id") in core["household_members"].references
    assert core["case_events"].references == ()


@pytest.mark.parametrize(
    "given",
    [{"person_id": "persons"}, {"person_id": ".id"}, {"": "persons.id"}, ["person_id"], {"person_id": 1}],
)
def test_a_reference_that_does_not_say_which_rows_is_refused(tmp_path: Path, given: Any) -> None:
    path = suite_with_hub_meta(tmp_path, "references", given)

    with pytest.raises(InvalidSuite, match="references"):
        load_suite(path)
