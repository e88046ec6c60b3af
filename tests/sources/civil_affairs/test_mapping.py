"""Civil-affairs export rows from the simulator's serializer map onto canonical tags and cases."""

from __future__ import annotations

from typing import cast

import pytest

from hub.errors import RecordRejected
from hub.simulator import County
from hub.simulator.departments import civil_affairs as served
from hub.sources.canonical import CaseKind, CaseStatus, Department
from hub.sources.civil_affairs.mapping import map_assistance, map_benefit
from hub.sources.civil_affairs.records import AssistanceRow, BenefitRow


def benefits(county: County) -> list[BenefitRow]:
    return [cast(BenefitRow, record.item) for record in served.benefit_records(county)]


def assistance(county: County) -> list[AssistanceRow]:
    return [cast(AssistanceRow, record.item) for record in served.assistance_records(county)]


def test_every_benefit_maps_to_a_tag_with_period_amount_and_household(golden_county: County) -> None:
    ordered = sorted(golden_county.benefits, key=lambda b: (b.hh_no, b.person_key, b.category))
    for row, truth in zip(benefits(golden_county), ordered, strict=True):
        tag = map_benefit(row)
        person = golden_county.persons_by_key[truth.person_key]
        assert tag.person.id_number == person.id_number  # legacy 15-digit numbers upgraded
        assert tag.valid_from == truth.start_date
        assert tag.valid_to == truth.end_date
        assert tag.amount == truth.monthly_amount
        assert tag.household_no == truth.hh_no
        assert tag.source.department is Department.CIVIL_AFFAIRS


def test_legacy_ids_in_the_export_are_upgraded_and_kept_as_sent(golden_county: County) -> None:
    legacy = [row for row in benefits(golden_county) if len(row["身份证号"]) == 15]
    assert legacy, "the golden county should hold legacy IDs"
    for row in legacy:
        tag = map_benefit(row)
        assert tag.person.id_number is not None and len(tag.person.id_number) == 18
        assert tag.person.id_number_as_sent == row["身份证号"]


def test_benefit_categories_map_to_tag_kinds(golden_county: County) -> None:
    kinds = {map_benefit(row).kind for row in benefits(golden_county)}
    assert kinds <= {
        "subsistence_allowance",
        "extreme_poverty",
        "disabled",
        "left_behind_elderly",
        "left_behind_child",
    }


def test_every_assistance_application_maps_to_an_assistance_case(golden_county: County) -> None:
    by_no = {a.application_no: a for a in golden_county.assistance}
    for row in assistance(golden_county):
        case = map_assistance(row)
        truth = by_no[case.case_no]
        assert case.kind is CaseKind.ASSISTANCE
        assert case.opened_at.date() == truth.applied_on
        assert (case.closed_at.date() if case.closed_at else None) == truth.decided_on
        assert case.amount == truth.amount
        assert [link.target_case_no for link in case.links] == (
            [truth.related_case_no] if truth.related_case_no else []
        )
        assert case.parties[0].person.id_number == golden_county.persons_by_key[truth.person_key].id_number


def test_rejected_application_is_resolved_with_outcome_rejected(golden_county: County) -> None:
    row = next((r for r in assistance(golden_county) if r["状态"] == "已拒绝"), None)
    assert row is not None, "the golden county has rejected applications"
    case = map_assistance(row)
    assert case.status is CaseStatus.RESOLVED
    assert case.outcome == "rejected"


def test_both_date_styles_parse_to_the_same_day(golden_county: County) -> None:
    row = dict(benefits(golden_county)[0])
    start = map_benefit(cast(BenefitRow, row)).valid_from
    assert start is not None
    row["开始日期"] = f"{start.year}年{start.month}月{start.day}日"
    assert map_benefit(cast(BenefitRow, row)).valid_from == start
    row["开始日期"] = f"{start.year}/{start.month}/{start.day}"
    assert map_benefit(cast(BenefitRow, row)).valid_from == start


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("救助类别", "五保", "救助类别.unknown_code"),
        ("开始日期", "2024.13.01", "开始日期.bad_date"),
        ("月发放金额", "五百元", "月发放金额.bad_amount"),
        ("身份证号", "33012219800102", "身份证号.bad_length"),
        ("姓名", "", "姓名.missing"),
    ],
)
def test_benefit_with_bad_cell_is_rejected(golden_county: County, column: str, value: str, rule: str) -> None:
    row = dict(benefits(golden_county)[0])
    row[column] = value
    with pytest.raises(RecordRejected) as caught:
        map_benefit(cast(BenefitRow, row))
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [("救助类型", "创业救助", "救助类型.unknown_code"), ("状态", "已撤回", "状态.unknown_code")],
)
def test_assistance_with_unknown_code_is_rejected(
    golden_county: County, column: str, value: str, rule: str
) -> None:
    row = dict(assistance(golden_county)[0])
    row[column] = value
    with pytest.raises(RecordRejected) as caught:
        map_assistance(cast(AssistanceRow, row))
    assert caught.value.rule == rule


def test_benefit_row_without_id_is_kept_under_name_and_household(golden_county: County) -> None:
    row = dict(benefits(golden_county)[0])
    row["身份证号"] = ""
    tag = map_benefit(cast(BenefitRow, row))
    assert tag.person.id_number is None
    assert tag.source.record_id.startswith(f"{row['姓名']}+{row['户号']}/")
