"""Public-security payloads from the simulator's serializer map onto canonical households and cases."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest

from hub.errors import RecordRejected
from hub.simulator import County
from hub.simulator.departments import public_security as served
from hub.sources.canonical import CaseKind, CaseStatus, Department
from hub.sources.public_security.mapping import map_household, map_incident
from hub.sources.public_security.records import HouseholdPayload, IncidentPayload


def households(county: County) -> list[HouseholdPayload]:
    return [cast(HouseholdPayload, record.item) for record in served.household_records(county)]


def incidents(county: County) -> list[IncidentPayload]:
    return [cast(IncidentPayload, record.item) for record in served.incident_records(county)]


def test_every_served_household_maps_with_its_members_and_provenance(golden_county: County) -> None:
    for payload in households(golden_county):
        record = map_household(payload)
        truth = golden_county.households_by_no[record.hh_no]
        assert record.source.department is Department.PUBLIC_SECURITY
        assert record.source.record_id == truth.hh_no
        assert [m.relation for m in record.members] == [m.relation for m in truth.members]
        for member, truth_member in zip(record.members, truth.members, strict=True):
            person = golden_county.persons_by_key[truth_member.person_key]
            assert member.person.id_number == person.id_number
            assert member.person.birth_date == person.birth_date
            assert member.person.ethnicity == person.ethnicity


def test_every_served_incident_maps_to_its_kind_category_and_status(golden_county: County) -> None:
    kinds = {"1": CaseKind.INCIDENT, "2": CaseKind.PUBLIC_ORDER, "3": CaseKind.CRIMINAL}
    for payload in incidents(golden_county):
        record = map_incident(payload)
        assert record.kind is kinds[payload["kind"]]
        assert record.category == f"ps_{payload['category']}"
        assert record.source.record_id == payload["incident_no"]
        assert len(record.parties) == len(payload["parties"])
        assert record.events[0].status is CaseStatus.RECEIVED
        assert (record.closed_at is not None) == (CaseStatus.RESOLVED in {e.status for e in record.events})


def test_incident_in_follow_up_has_a_followed_up_event_at_its_last_change(golden_county: County) -> None:
    visited = next(p for p in incidents(golden_county) if p["status"] == "5")
    record = map_incident(visited)
    assert record.status is CaseStatus.FOLLOWED_UP
    assert record.events[-1].status is CaseStatus.FOLLOWED_UP
    assert record.events[-1].at.isoformat() == visited["updated_at"]


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("category", "0999", "category.unknown_code"),
        ("kind", "7", "kind.unknown_code"),
        ("status", "9", "status.unknown_code"),
        ("reported_at", "2026-13-01T00:00:00+08:00", "reported_at.bad_datetime"),
        ("incident_no", None, "incident_no.missing"),
    ],
)
def test_incident_with_bad_field_is_rejected_with_a_rule(
    golden_county: County, field: str, value: Any, rule: str
) -> None:
    payload = cast(dict[str, Any], copy.deepcopy(incidents(golden_county)[0]))
    payload[field] = value
    with pytest.raises(RecordRejected) as caught:
        map_incident(cast(IncidentPayload, payload))
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("nation", "60", "members.nation.unknown_code"),
        ("relation", "98", "members.relation.unknown_code"),
        ("sex", "3", "members.sex.unknown_code"),
        ("birth_date", "1980/01/02", "members.birth_date.bad_date"),
        ("name", " ", "members.name.missing"),
    ],
)
def test_household_member_with_bad_field_rejects_the_household(
    golden_county: County, field: str, value: str, rule: str
) -> None:
    payload = cast(dict[str, Any], copy.deepcopy(households(golden_county)[0]))
    payload["members"][0][field] = value
    with pytest.raises(RecordRejected) as caught:
        map_household(cast(HouseholdPayload, payload))
    assert caught.value.rule == rule


def test_member_with_wrong_check_character_rejects_the_household(golden_county: County) -> None:
    payload = cast(dict[str, Any], copy.deepcopy(households(golden_county)[0]))
    member = payload["members"][0]
    member["id_no"] = member["id_no"][:17] + ("0" if member["id_no"][17] != "0" else "1")
    with pytest.raises(RecordRejected) as caught:
        map_household(cast(HouseholdPayload, payload))
    assert caught.value.rule == "members.id_no.bad_checksum"
    assert member["id_no"] in caught.value.reason


def test_full_width_and_traditional_member_identity_is_normalised(golden_county: County) -> None:
    payload = cast(dict[str, Any], copy.deepcopy(households(golden_county)[0]))
    member = payload["members"][0]
    id_number, name = member["id_no"], member["name"]
    member["id_no"] = id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    member["name"] = name.replace("张", "張").replace("陈", "陳")
    record = map_household(cast(HouseholdPayload, payload))
    assert record.members[0].person.id_number == id_number
    assert record.members[0].person.id_number_as_sent == member["id_no"]
    assert record.members[0].person.name == name
