"""Civil-affairs export rows from the simulator's serializer map onto canonical tags, cases, household
ratings and moral points."""

from __future__ import annotations

from typing import cast

import pytest

from hub.errors import RecordRejected
from hub.simulator import County
from hub.simulator.departments import civil_affairs as served
from hub.sources.canonical import CaseKind, CaseStatus, Department
from hub.sources.civil_affairs.mapping import map_assistance, map_benefit, map_moral_point, map_rating
from hub.sources.civil_affairs.records import AssistanceRow, BenefitRow, HouseholdRatingRow, MoralPointRow


def benefits(county: County) -> list[BenefitRow]:
    return [cast(BenefitRow, record.item) for record in served.benefit_records(county)]


def assistance(county: County) -> list[AssistanceRow]:
    return [cast(AssistanceRow, record.item) for record in served.assistance_records(county)]


def ratings(county: County) -> list[HouseholdRatingRow]:
    return [cast(HouseholdRatingRow, record.item) for record in served.rating_records(county)]


def moral_points(county: County) -> list[MoralPointRow]:
    return [cast(MoralPointRow, record.item) for record in served.moral_point_records(county)]


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


def test_every_rating_maps_to_the_stars_the_committee_gave(golden_county: County) -> None:
    truth = {(r.hh_no, r.year): r for r in golden_county.ratings}
    mapped = [map_rating(row) for row in ratings(golden_county)]

    assert len(mapped) == len(truth)
    for rating in mapped:
        expected = truth[(rating.hh_no, rating.year)]
        assert (rating.stars, rating.assessed_by, rating.assessed_on) == (
            expected.stars,
            expected.assessed_by,
            expected.assessed_on,
        )
        assert rating.source.department is Department.CIVIL_AFFAIRS
        assert rating.source.record_id == f"{rating.hh_no}/{rating.year}"


def test_every_moral_point_entry_maps_with_its_reason_code_and_balance(golden_county: County) -> None:
    truth = {e.entry_no: e for e in golden_county.moral_points}
    mapped = [map_moral_point(row) for row in moral_points(golden_county)]

    assert len(mapped) == len(truth)
    for entry in mapped:
        expected = truth[entry.entry_no]
        assert (entry.hh_no, entry.recorded_on, entry.points, entry.balance) == (
            expected.hh_no,
            expected.recorded_on,
            expected.points,
            expected.balance,
        )
        assert entry.source.record_id == entry.entry_no
    assert {entry.reason for entry in mapped} == {
        "volunteering",
        "environment",
        "filial_piety",
        "neighbourly_help",
        "civilised_customs",
        "heroism",
        "redemption",
        "deduction",
    }


def test_rating_and_point_dates_parse_the_same_in_both_styles(golden_county: County) -> None:
    rating = dict(ratings(golden_county)[0])
    entry = dict(moral_points(golden_county)[0])
    assessed = map_rating(cast(HouseholdRatingRow, rating)).assessed_on
    recorded = map_moral_point(cast(MoralPointRow, entry)).recorded_on
    for style in ("{d.year}年{d.month}月{d.day}日", "{d.year}/{d.month}/{d.day}"):
        rating["评定日期"] = style.format(d=assessed)
        entry["记录日期"] = style.format(d=recorded)
        assert map_rating(cast(HouseholdRatingRow, rating)).assessed_on == assessed
        assert map_moral_point(cast(MoralPointRow, entry)).recorded_on == recorded


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("星级", "11", "星级.out_of_range"),
        ("星级", "十星", "星级.bad_number"),
        ("户号", "3301220010010000", "户号.bad_format"),
        ("评定年度", "2099", "评定年度.out_of_range"),
        ("评定日期", "2024/2/30", "评定日期.bad_date"),
        ("评定单位", "", "评定单位.missing"),
    ],
)
def test_rating_with_bad_cell_is_rejected(golden_county: County, column: str, value: str, rule: str) -> None:
    row = dict(ratings(golden_county)[0])
    row[column] = value
    with pytest.raises(RecordRejected) as caught:
        map_rating(cast(HouseholdRatingRow, row))
    assert caught.value.rule == rule
    assert caught.value.reason


def test_rating_row_cut_short_is_rejected_for_its_missing_cells(golden_county: County) -> None:
    row = {column: cell for column, cell in ratings(golden_county)[0].items() if column == "户号"}
    with pytest.raises(RecordRejected) as caught:
        map_rating(cast(HouseholdRatingRow, row))
    assert caught.value.rule == "评定年度.missing"


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("积分事由", "表彰奖励", "积分事由.unknown_code"),
        ("积分", "-5", "积分.wrong_sign"),
        ("积分", "0", "积分.wrong_sign"),
        ("积分", "五", "积分.bad_number"),
        ("积分余额", "-5", "积分余额.negative"),
        ("记录日期", "0000-00-00", "记录日期.bad_date"),
        ("流水号", "", "流水号.missing"),
    ],
)
def test_moral_point_entry_with_bad_cell_is_rejected(
    golden_county: County, column: str, value: str, rule: str
) -> None:
    row = dict(next(r for r in moral_points(golden_county) if r["积分事由"] == "志愿服务"))
    row[column] = value
    with pytest.raises(RecordRejected) as caught:
        map_moral_point(cast(MoralPointRow, row))
    assert caught.value.rule == rule
    assert caught.value.reason


def test_redemption_books_negative_points(golden_county: County) -> None:
    row = next(r for r in moral_points(golden_county) if r["积分事由"] == "积分兑换")
    entry = map_moral_point(row)
    assert entry.reason == "redemption" and entry.points < 0
    flipped = {**row, "积分": row["积分"].removeprefix("-")}
    with pytest.raises(RecordRejected, match=r"积分\.wrong_sign"):
        map_moral_point(cast(MoralPointRow, flipped))
