"""Field rules shared by every department mapping: dates, money, codes, persons, events."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.errors import RecordRejected
from hub.sources import fields
from hub.sources.canonical import CaseStatus, Department


@pytest.mark.parametrize(
    "raw", ["2024年3月5日", "2024/3/5", "2024/03/05", " 2024 年 3 月 5 日 ", "2024-03-05"]
)
def test_civil_affairs_date_forms_parse_to_the_same_day(raw: str) -> None:
    assert fields.parse_chinese_date(raw, field="开始日期") == dt.date(2024, 3, 5)


@pytest.mark.parametrize("raw", ["2024年2月30日", "5/3/2024", "二〇二四年三月五日", ""])
def test_impossible_or_foreign_dates_are_rejected_with_the_field_named(raw: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        fields.parse_chinese_date(raw, field="开始日期")
    assert caught.value.rule == "开始日期.bad_date"
    assert repr(raw) in caught.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"), [("580.00", "580.00"), ("1,200", "1200.00"), ("¥35.5", "35.50"), ("", None)]
)
def test_money_strings_become_two_place_decimals(raw: str, expected: str | None) -> None:
    assert fields.parse_money(raw, field="金额") == expected


@pytest.mark.parametrize("raw", ["abc", "-5", "NaN"])
def test_bad_money_is_rejected(raw: str) -> None:
    with pytest.raises(RecordRejected, match="bad_amount"):
        fields.parse_money(raw, field="金额")


def test_iso_timestamps_keep_their_offset_and_naive_ones_are_read_as_china_time() -> None:
    aware = fields.parse_datetime("2026-01-01T08:00:00+08:00", field="reported_at")
    naive = fields.parse_datetime("2026-01-01T08:00:00", field="reported_at")
    assert aware == naive
    assert aware.utcoffset() == dt.timedelta(hours=8)


def test_epoch_milliseconds_are_read_in_china_time() -> None:
    moment = fields.parse_epoch_ms(1767225600000, field="acceptTime")
    assert moment == dt.datetime(2026, 1, 1, 8, tzinfo=fields.CHINA_TZ)  # midnight UTC
    with pytest.raises(RecordRejected, match=r"acceptTime\.bad_datetime"):
        fields.parse_epoch_ms("1767225600000", field="acceptTime")


def test_unknown_code_is_rejected_naming_table_and_value() -> None:
    with pytest.raises(RecordRejected) as caught:
        fields.code("ethnicity", "77", field="members.nation")
    assert caught.value.rule == "members.nation.unknown_code"
    assert "'77'" in caught.value.reason


def test_unknown_department_value_is_rejected() -> None:
    with pytest.raises(RecordRejected) as caught:
        fields.translate("case_statuses", Department.JUSTICE, "archived", field="status")
    assert caught.value.rule == "status.unknown_code"


def test_person_without_id_is_kept_and_person_with_invalid_id_is_rejected() -> None:
    nameless_id = fields.person(
        name="張偉", id_number=None, name_field="parties.name", id_field="parties.id_no"
    )
    assert nameless_id.id_number is None
    assert nameless_id.name == "张伟"
    assert nameless_id.name_as_sent == "張偉"
    with pytest.raises(RecordRejected) as caught:
        fields.person(
            name="张伟", id_number="110105194912310021", name_field="parties.name", id_field="parties.id_no"
        )
    assert caught.value.rule == "parties.id_no.bad_checksum"


def test_events_follow_the_timestamps_a_case_has() -> None:
    opened = dt.datetime(2026, 1, 1, tzinfo=fields.CHINA_TZ)
    closed = opened + dt.timedelta(days=3)
    events = fields.derive_events(opened_at=opened, closed_at=closed)
    assert [(event.status, event.at) for event in events] == [
        (CaseStatus.RECEIVED, opened),
        (CaseStatus.RESOLVED, closed),
    ]
