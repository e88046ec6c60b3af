"""Code tables load as typed data, cite their standard, and hold what the contract names."""

from __future__ import annotations

import pytest

from hub.reference import UnknownTable, load_table, table_names, tag_kinds
from hub.sources.canonical import CaseKind, CaseStatus, Department, ResolutionLevel


def test_every_table_cites_its_standard_and_loads() -> None:
    for name in table_names():
        table = load_table(name)
        assert table.standard, name
        assert len(table) > 0, name


def test_ethnicity_has_all_56_nationalities_with_two_digit_codes() -> None:
    table = load_table("ethnicity")
    nationalities = [entry for entry in table if entry.code <= "56"]
    assert len(nationalities) == 56
    assert table.label("01") == "汉族"
    assert table.label("22") == "畲族"
    assert all(len(entry.code) == 2 for entry in table)


def test_sex_and_family_relation_hold_the_contract_codes() -> None:
    assert load_table("sex").codes() >= {"1", "2"}
    assert load_table("family_relation").codes() >= {"02", "10", "20", "30", "40", "50", "70", "99"}
    assert load_table("family_relation").label("02") == "户主"


def test_tag_kinds_have_label_department_and_sensitivity() -> None:
    kinds = tag_kinds()
    assert set(kinds) == {
        "subsistence_allowance",
        "extreme_poverty",
        "disabled",
        "left_behind_elderly",
        "left_behind_child",
        "community_correction",
        "released_prisoner",
        "drug_user",
        "severe_mental_disorder",
        "frequent_petitioner",
    }
    assert kinds["community_correction"].label_zh == "社区矫正"
    assert all(kind.department in set(Department) for kind in kinds.values())
    assert all(kind.sensitivity in {1, 2, 3} for kind in kinds.values())


def test_department_tables_map_only_onto_canonical_values() -> None:
    for entry in load_table("case_statuses"):
        assert entry["status"] in set(CaseStatus)
    for entry in load_table("case_kinds"):
        assert entry["kind"] in set(CaseKind)
    for entry in load_table("resolution_levels"):
        assert entry["level"] in set(ResolutionLevel)
    for entry in load_table("tag_sources"):
        assert entry["tag_kind"] in tag_kinds()


def test_every_department_status_of_the_contract_is_mapped() -> None:
    statuses = load_table("case_statuses")
    assert statuses.source_values("public_security") == {"1", "2", "3", "4", "5"}
    assert statuses.source_values("justice") == {"accepted", "mediating", "closed", "followedUp"}
    assert statuses.source_values("petitions") == {"received", "assigned", "handling", "replied", "closed"}
    assert statuses.source_values("civil_affairs") == {"受理", "审核中", "已批准", "已拒绝"}


def test_department_lookup_translates_a_source_value() -> None:
    entry = load_table("case_categories").lookup("justice", "婚姻家庭纠纷")
    assert entry is not None
    assert entry.code == "marriage_family"
    assert load_table("case_categories").lookup("justice", "不存在的纠纷") is None


def test_unknown_table_is_an_error() -> None:
    with pytest.raises(UnknownTable):
        load_table("no_such_table")
