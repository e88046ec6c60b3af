"""Justice records → canonical dispute cases (mediation) and tags (correction, released)."""

from __future__ import annotations

from hub.reference import known_code
from hub.sources import fields
from hub.sources.canonical import (
    CaseKind,
    CaseLinkRecord,
    CaseRecord,
    CaseStatus,
    Department,
    PartyRecord,
    ResolutionLevel,
    SourceRef,
    TagRecord,
)
from hub.sources.contract import check_record, contract_fields
from hub.sources.justice.records import (
    CorrectionSubjectPayload,
    MediationCasePayload,
    MediationPartyPayload,
    correction_subject_id,
)

DEPARTMENT = Department.JUSTICE
# A mediation taking over a petition or a police call (访调对接, 警调对接) links to it as its origin.
ORIGINATED_FROM = known_code("case_link_relations", "originated_from")


def map_mediation_case(payload: MediationCasePayload) -> CaseRecord:
    """A people's-mediation case as a dispute, with its level, result and the case it came from."""
    case_no = fields.require_str(payload, "caseNo")
    category = fields.translate("case_categories", DEPARTMENT, payload.get("caseType"), field="caseType")
    status = fields.translate("case_statuses", DEPARTMENT, payload.get("status"), field="status")
    current = CaseStatus(status["status"])
    level = fields.translate("resolution_levels", DEPARTMENT, payload.get("level"), field="level")
    result = payload.get("result")
    outcome = fields.translate("case_outcomes", DEPARTMENT, result, field="result") if result else None
    opened_at = fields.parse_epoch_ms(fields.require(payload, "acceptTime"), field="acceptTime")
    closed_at = fields.parse_optional_epoch_ms(payload.get("closeTime"), field="closeTime")
    followed_up_at = fields.parse_optional_epoch_ms(payload.get("followUpTime"), field="followUpTime")
    updated_at = fields.parse_optional_epoch_ms(payload.get("updateTime"), field="updateTime")
    raw_parties = payload.get("parties") or []
    if not isinstance(raw_parties, list):
        raise fields.reject("parties", "bad_type", f"parties should be a list, got {raw_parties!r:.80}")
    links = tuple(
        CaseLinkRecord(target_case_no=number, relation=ORIGINATED_FROM)
        for number in (
            fields.optional_str(payload, "sourcePetitionNo"),
            fields.optional_str(payload, "sourceIncidentNo"),
        )
        if number
    )
    return CaseRecord(
        case_no=case_no,
        department=DEPARTMENT,
        kind=CaseKind.DISPUTE,
        category=category.code,
        status=current,
        opened_at=opened_at,
        closed_at=closed_at,
        resolution_level=ResolutionLevel(level["level"]),
        outcome=outcome["outcome"] if outcome else None,
        division_code=fields.optional_str(payload, "divisionCode"),
        source=SourceRef(DEPARTMENT, case_no),
        parties=tuple(_party(party) for party in raw_parties),
        links=links,
        events=fields.derive_events(
            opened_at=opened_at,
            closed_at=closed_at,
            followed_up_at=followed_up_at,
            status=current,
            status_since=updated_at,
        ),
    )


def _party(payload: MediationPartyPayload) -> PartyRecord:
    if not isinstance(payload, dict):
        raise fields.reject("parties", "bad_type", f"party is not an object: {payload!r:.80}")
    check_record(payload, contract=contract_fields(MediationPartyPayload), where="parties")
    role = fields.translate("party_roles", DEPARTMENT, payload.get("role"), field="parties.role")
    person = fields.person(
        name=payload.get("name"),
        id_number=payload.get("idCard"),
        name_field="parties.name",
        id_field="parties.idCard",
    )
    return PartyRecord(person=person, role=role["role"])


def map_correction_subject(payload: CorrectionSubjectPayload) -> TagRecord:
    """A community-correction or released-prisoner subject as a tag valid over its period."""
    kind = fields.translate("tag_sources", DEPARTMENT, payload.get("subjectType"), field="subjectType")
    person = fields.person(
        name=payload.get("name"), id_number=payload.get("idCard"), name_field="name", id_field="idCard"
    )
    valid_from = fields.parse_epoch_ms(fields.require(payload, "startDate"), field="startDate").date()
    end = fields.parse_optional_epoch_ms(payload.get("endDate"), field="endDate")
    valid_to = end.date() if end else None
    if valid_to is not None and valid_to < valid_from:
        raise fields.reject("endDate", "before_start", f"ends {valid_to} before it starts {valid_from}")
    return TagRecord(
        person=person,
        kind=kind["tag_kind"],
        valid_from=valid_from,
        valid_to=valid_to,
        source=SourceRef(DEPARTMENT, correction_subject_id(payload)),
    )
