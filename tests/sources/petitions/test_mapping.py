"""Petition versions from the simulator's feed serializer map onto canonical petition cases."""

from __future__ import annotations

import copy
import json
from typing import Any, cast

import pytest

from hub.errors import RecordRejected
from hub.simulator import County
from hub.simulator.departments import petitions as served
from hub.sources.canonical import CaseKind, CaseStatus
from hub.sources.petitions.mapping import map_petition
from hub.sources.petitions.records import MALFORMED_LINE, PetitionPayload


def versions(county: County) -> list[PetitionPayload]:
    return [cast(PetitionPayload, json.loads(entry.line)) for entry in served.feed_entries(county)]


def test_every_petition_version_maps_to_a_petition_case(golden_county: County) -> None:
    by_no = {petition.petition_no: petition for petition in golden_county.petitions}
    for payload in versions(golden_county):
        case = map_petition(payload)
        truth = by_no[case.case_no]
        assert case.kind is CaseKind.PETITION
        assert case.deadline == truth.deadline
        assert case.channel == truth.channel
        assert case.is_group == truth.is_group
        assert [p.role for p in case.parties] == ["petitioner"] + ["co_petitioner"] * len(
            truth.co_petitioner_keys
        )
        assert (
            case.parties[0].person.id_number == golden_county.persons_by_key[truth.petitioner_key].id_number
        )


def test_closed_petition_is_followed_up_with_satisfaction_and_events_in_order(golden_county: County) -> None:
    closed = next(p for p in versions(golden_county) if p["status"] == "closed")
    case = map_petition(closed)
    assert case.status is CaseStatus.FOLLOWED_UP
    assert case.satisfaction == closed["satisfaction"]
    assert [e.status for e in case.events] == [
        CaseStatus.RECEIVED,
        CaseStatus.RESOLVED,
        CaseStatus.FOLLOWED_UP,
    ]
    assert case.events[-1].at.isoformat() == closed["changed_at"]


def test_referred_petition_links_to_the_case_it_was_referred_to(golden_county: County) -> None:
    referred = next(p for p in versions(golden_county) if p.get("referred_case_no"))
    case = map_petition(referred)
    assert [(link.target_case_no, link.relation) for link in case.links] == [
        (referred["referred_case_no"], "referred_to")
    ]
    assert case.assigned_to == "justice"


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("channel", "fax", "channel.unknown_code"),
        ("category", "外星来客", "category.unknown_code"),
        ("status", "archived", "status.unknown_code"),
        ("satisfaction", "delighted", "satisfaction.unknown_code"),
        ("assigned_to", "army", "assigned_to.unknown_code"),
        ("deadline", "60 days", "deadline.bad_date"),
        ("petitioner", None, "petitioner.missing"),
    ],
)
def test_petition_with_bad_field_is_rejected(
    golden_county: County, field: str, value: Any, rule: str
) -> None:
    payload = cast(dict[str, Any], copy.deepcopy(versions(golden_county)[-1]))
    payload[field] = value
    with pytest.raises(RecordRejected) as caught:
        map_petition(cast(PetitionPayload, payload))
    assert caught.value.rule == rule


def test_malformed_feed_line_is_rejected_not_dropped() -> None:
    with pytest.raises(RecordRejected) as caught:
        map_petition(cast(PetitionPayload, {MALFORMED_LINE: '{"petition_no": "XF33'}))
    assert caught.value.rule == "record.malformed"
