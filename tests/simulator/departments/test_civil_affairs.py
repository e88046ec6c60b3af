from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import requests
from stdnum.cn import ric

from hub.simulator import County

BENEFITS = "/civil-affairs/export/benefits.csv"
ASSISTANCE = "/civil-affairs/export/assistance.csv"
RATINGS = "/civil-affairs/export/household-ratings.csv"
MORAL_POINTS = "/civil-affairs/export/moral-points.csv"
KEY = {"X-API-Key": "hub-civil-key"}


def _rows(response: requests.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("gbk"))))


def _walk(http: requests.Session, url: str, limit: int, **params: str) -> tuple[list[dict[str, str]], int]:
    rows: list[dict[str, str]] = []
    totals: set[int] = set()
    while True:
        query: dict[str, str | int] = {"offset": len(rows), "limit": limit, **params}
        response = http.get(url, headers=KEY, params=query)
        assert response.status_code == 200
        totals.add(int(response.headers["X-Total-Count"]))
        page = _rows(response)
        rows += page
        if len(page) < limit:
            assert len(totals) == 1
            return rows, totals.pop()


def _date(written: str) -> dt.date:
    year, month, day = map(int, re.fullmatch(r"(\d{4})[年/](\d{1,2})[月/](\d{1,2})日?", written).groups())  # type: ignore[union-attr]
    return dt.date(year, month, day)


def _upgrade(number: str) -> str:
    if len(number) == 18:
        return number
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def test_wrong_api_key_is_refused(http: requests.Session, simulator_url: str) -> None:
    assert http.get(simulator_url + BENEFITS).status_code == 401
    assert http.get(simulator_url + BENEFITS, headers={"X-API-Key": "guess"}).status_code == 401


def test_benefits_export_is_gbk_csv_with_the_contract_header(
    http: requests.Session, simulator_url: str
) -> None:
    response = http.get(simulator_url + BENEFITS, headers=KEY, params={"limit": 10})
    assert response.headers["content-type"].lower().startswith("text/csv")
    text = response.content.decode("gbk")
    assert text.splitlines()[0] == "身份证号,姓名,救助类别,开始日期,结束日期,月发放金额,户号,更新日期"
    assert len(_rows(response)) == 10


def test_offset_walk_returns_every_benefit_once_with_total(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    rows, total = _walk(http, simulator_url + BENEFITS, limit=37)
    assert total == len(rows) == len(golden_county.benefits)
    seen = {(_upgrade(row["身份证号"]), row["救助类别"]) for row in rows}
    truth = {
        (golden_county.persons_by_key[b.person_key].id_number, b.category) for b in golden_county.benefits
    }
    assert seen == truth
    assert all(re.fullmatch(r"\d+\.\d\d", row["月发放金额"]) for row in rows)


def test_legacy_ids_are_fifteen_digits_and_upgrade_to_valid_numbers(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    rows, _ = _walk(http, simulator_url + BENEFITS, limit=1000)
    legacy = [row["身份证号"] for row in rows if len(row["身份证号"]) == 15]
    assert legacy
    for number in legacy:
        upgraded = _upgrade(number)
        assert ric.is_valid(upgraded) and upgraded in golden_county.persons_by_id_number
        assert golden_county.persons_by_id_number[upgraded].birth_date.year < 1990


def test_dates_are_written_both_ways(http: requests.Session, simulator_url: str) -> None:
    rows, _ = _walk(http, simulator_url + BENEFITS, limit=1000)
    written = [row["开始日期"] for row in rows]
    assert any("年" in date for date in written) and any("/" in date for date in written)
    assert all(_date(date) for date in written)


def test_changed_since_keeps_rows_updated_on_or_after_the_day(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    day = dt.date(2026, 1, 1)
    rows, total = _walk(http, simulator_url + BENEFITS, limit=1000, changed_since=day.isoformat())
    expected = [b for b in golden_county.benefits if b.updated_on >= day]
    assert 0 < total == len(rows) == len(expected) < len(golden_county.benefits)
    assert all(_date(row["更新日期"]) >= day for row in rows)


def test_assistance_export_matches_truth_and_cites_cases(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    rows, total = _walk(http, simulator_url + ASSISTANCE, limit=20)
    assert total == len(golden_county.assistance)
    assert [row["申请编号"] for row in rows] == [a.application_no for a in golden_county.assistance]
    assert {row["状态"] for row in rows} <= {"受理", "审核中", "已批准", "已拒绝"}
    cited = [row["关联案件编号"] for row in rows if row["关联案件编号"]]
    assert cited and all(number in golden_county.cases_by_no for number in cited)


def test_bad_changed_since_and_limit_are_rejected(http: requests.Session, simulator_url: str) -> None:
    assert (
        http.get(simulator_url + BENEFITS, headers=KEY, params={"changed_since": "2026/1/1"}).status_code
        == 400
    )
    assert http.get(simulator_url + BENEFITS, headers=KEY, params={"limit": 1001}).status_code == 400


def test_ratings_export_is_gbk_csv_with_the_contract_header(
    http: requests.Session, simulator_url: str
) -> None:
    response = http.get(simulator_url + RATINGS, headers=KEY, params={"limit": 5})

    assert response.headers["content-type"].lower() == "text/csv; charset=gbk"
    text = response.content.decode("gbk")
    assert text.splitlines()[0] == "户号,评定年度,星级,评定单位,评定日期,更新日期"
    assert text.endswith("\r\n") and len(_rows(response)) == 5
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")  # the committees' names are written in GBK, not UTF-8


def test_offset_walk_returns_every_rating_once_as_the_county_has_them(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    rows, total = _walk(http, simulator_url + RATINGS, limit=97)

    assert total == len(rows) == len(golden_county.ratings)
    served = [(row["户号"], int(row["评定年度"]), int(row["星级"]), row["评定单位"]) for row in rows]
    truth = sorted((r.hh_no, r.year, r.stars, r.assessed_by) for r in golden_county.ratings)
    assert served == truth
    assert all(row["户号"] in golden_county.households_by_no for row in rows)
    written = [row["评定日期"] for row in rows]
    assert any("年" in date for date in written) and any("/" in date for date in written)


def test_moral_points_walk_matches_the_bank_entry_by_entry(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    rows, total = _walk(http, simulator_url + MORAL_POINTS, limit=250)

    assert total == len(rows) == len(golden_county.moral_points)
    by_no = {entry.entry_no: entry for entry in golden_county.moral_points}
    assert [row["流水号"] for row in rows] == sorted(by_no)
    for row in rows:
        entry = by_no[row["流水号"]]
        assert (row["户号"], row["积分事由"]) == (entry.hh_no, entry.reason)
        assert (int(row["积分"]), int(row["积分余额"])) == (entry.points, entry.balance)
        assert _date(row["记录日期"]) == entry.recorded_on
    assert any(row["积分"].startswith("-") for row in rows)


def test_changed_since_keeps_ratings_and_points_updated_on_or_after_the_day(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    day = dt.date(2026, 1, 1)
    ratings, rating_total = _walk(http, simulator_url + RATINGS, limit=1000, changed_since=day.isoformat())
    points, point_total = _walk(http, simulator_url + MORAL_POINTS, limit=1000, changed_since=day.isoformat())

    assert 0 < rating_total == len(ratings) == sum(r.updated_on >= day for r in golden_county.ratings)
    assert 0 < point_total == len(points) == sum(e.updated_on >= day for e in golden_county.moral_points)
    assert rating_total < len(golden_county.ratings) and point_total < len(golden_county.moral_points)
    assert all(_date(row["更新日期"]) >= day for row in [*ratings, *points])
