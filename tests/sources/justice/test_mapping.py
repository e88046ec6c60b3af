"""Justice records from the simulator's serializer map onto canonical disputes and tags."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest

from hub.errors import RecordRejected
from hub.simulator import County
from hub.simulator.departments import justice as served
from hub.sources.canonical import CaseKind, CaseStatus, ResolutionLevel
from hub.sources.justice.mapping import map_correction_subject, map_mediation_case
from hub.sources.justice.records import CorrectionSubjectPayload, MediationCasePayload


def mediations(county: County) -> list[MediationCasePayload]:
    return [cast(MediationCasePayload, record.item) for record in served.mediation_records(county)]


def subjects(county: County) -> list[CorrectionSubjectPayload]:
    return [cast(CorrectionSubjectPayload, record.item) for record in served.correction_records(county)]


def test_every_mediation_case_maps_to_a_dispute_with_level_and_lifecycle(golden_county: County) -> None:
    by_no = {case.case_no: case for case in golden_county.mediations}
    for payload in mediations(golden_county):
        case = map_mediation_case(payload)
        truth = by_no[case.case_no]
        assert case.kind is CaseKind.DISPUTE
        assert case.resolution_level is ResolutionLevel(truth.level)
        assert case.opened_at == truth.accepted_at
        assert case.closed_at == truth.closed_at
        assert case.outcome == truth.result
        followed = [event.at for event in case.events if event.status is CaseStatus.FOLLOWED_UP]
        assert followed == ([truth.followed_up_at] if truth.followed_up_at else [])
        assert [p.role for p in case.parties] == ["applicant", "respondent"]


def test_mediation_links_to_the_petition_or_incident_it_came_from(golden_county: County) -> None:
    linked = [p for p in mediations(golden_county) if p.get("sourcePetitionNo") or p.get("sourceIncidentNo")]
    assert linked, "the golden county should hold referred mediations"
    for payload in linked:
        case = map_mediation_case(payload)
        targets = {link.target_case_no for link in case.links}
        assert targets == {n for n in (payload.get("sourcePetitionNo"), payload.get("sourceIncidentNo")) if n}
        assert {link.relation for link in case.links} == {"originated_from"}


def test_correction_subjects_map_to_justice_tags(golden_county: County) -> None:
    for payload in subjects(golden_county):
        tag = map_correction_subject(payload)
        assert tag.kind in {"community_correction", "released_prisoner"}
        assert tag.person.id_number == payload["idCard"]
        assert tag.valid_from is not None
        assert tag.valid_to is None or tag.valid_to >= tag.valid_from


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("caseType", "宠物纠纷", "caseType.unknown_code"),
        ("status", "archived", "status.unknown_code"),
        ("level", "province", "level.unknown_code"),
        ("result", "partial", "result.unknown_code"),
        ("acceptTime", "2026-01-01", "acceptTime.bad_datetime"),
        ("caseNo", "", "caseNo.missing"),
    ],
)
def test_mediation_with_bad_field_is_rejected(
    golden_county: County, field: str, value: Any, rule: str
) -> None:
    payload = cast(dict[str, Any], copy.deepcopy(mediations(golden_county)[0]))
    payload[field] = value
    with pytest.raises(RecordRejected) as caught:
        map_mediation_case(cast(MediationCasePayload, payload))
    assert caught.value.rule == rule


def test_subject_of_unknown_type_is_rejected(golden_county: County) -> None:
    payload = cast(dict[str, Any], dict(subjects(golden_county)[0]))
    payload["subjectType"] = "probation"
    with pytest.raises(RecordRejected) as caught:
        map_correction_subject(cast(CorrectionSubjectPayload, payload))
    assert caught.value.rule == "subjectType.unknown_code"
