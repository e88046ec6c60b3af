from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from hub.simulator import County

MEDIATIONS = "/justice/api/mediationCases"
CORRECTIONS = "/justice/api/correctionSubjects"
AUTH = ("hub", "hub-justice")


def _walk(
    http: requests.Session, url: str, page_size: int, **params: int
) -> tuple[list[dict[str, Any]], int]:
    records: list[dict[str, Any]] = []
    page_no = 1
    while True:
        response = http.get(url, auth=AUTH, params={"pageNo": page_no, "pageSize": page_size, **params})
        body = response.json()
        assert response.status_code == 200 and body["code"] == 0 and body["msg"] == "success"
        assert body["data"]["pageNo"] == page_no and body["data"]["pageSize"] == page_size
        records += body["data"]["records"]
        if page_no * page_size >= body["data"]["total"]:
            return records, body["data"]["total"]
        page_no += 1


def _millis(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * 1000


def test_wrong_password_gets_401(http: requests.Session, simulator_url: str) -> None:
    assert http.get(simulator_url + MEDIATIONS).status_code == 401
    assert http.get(simulator_url + MEDIATIONS, auth=("hub", "guess")).status_code == 401


def test_pages_cover_every_mediation_once_with_total(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    records, total = _walk(http, simulator_url + MEDIATIONS, page_size=13)
    assert total == len(records) == len(golden_county.mediations)
    assert [record["caseNo"] for record in records] == [case.case_no for case in golden_county.mediations]
    truth = golden_county.mediations[0]
    first = records[0]
    assert first["acceptTime"] == _millis(truth.accepted_at) and first["updateTime"] == _millis(
        truth.updated_at
    )
    assert {party["role"] for party in first["parties"]} == {"applicant", "respondent"}
    assert set(first) == {
        "caseNo", "caseType", "acceptTime", "closeTime", "followUpTime", "status", "divisionCode", "level",
        "result", "mediator", "sourcePetitionNo", "sourceIncidentNo", "updateTime", "parties",
    }  # fmt: skip


def test_source_numbers_point_at_petitions_and_incidents(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    records, _ = _walk(http, simulator_url + MEDIATIONS, page_size=200)
    petitions = [record["sourcePetitionNo"] for record in records if record["sourcePetitionNo"]]
    incidents = [record["sourceIncidentNo"] for record in records if record["sourceIncidentNo"]]
    assert petitions and all(
        number.startswith("XF") and number in golden_county.cases_by_no for number in petitions
    )
    assert incidents and all(
        number.startswith("J") and number in golden_county.cases_by_no for number in incidents
    )


def test_updated_since_keeps_records_changed_at_or_after(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    since = _millis(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    records, total = _walk(http, simulator_url + MEDIATIONS, page_size=200, updatedSince=since)
    expected = [case for case in golden_county.mediations if _millis(case.updated_at) >= since]
    assert 0 < total == len(records) == len(expected) < len(golden_county.mediations)


def test_correction_subjects_are_served_with_epoch_dates(
    http: requests.Session, simulator_url: str, golden_county: County
) -> None:
    records, total = _walk(http, simulator_url + CORRECTIONS, page_size=5)
    assert total == len(golden_county.corrections)
    truth = {
        (golden_county.persons_by_key[s.person_key].id_number, s.subject_type)
        for s in golden_county.corrections
    }
    assert {(record["idCard"], record["subjectType"]) for record in records} == truth
    assert all(isinstance(record["startDate"], int) for record in records)


def test_page_size_above_200_is_rejected(http: requests.Session, simulator_url: str) -> None:
    response = http.get(simulator_url + MEDIATIONS, auth=AUTH, params={"pageSize": 201})
    assert response.status_code == 400 and response.json()["code"] != 0
