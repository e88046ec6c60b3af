"""Public-security payloads → canonical households and cases."""

from __future__ import annotations

from hub.sources import fields
from hub.sources.canonical import (
    CaseKind,
    CaseRecord,
    CaseStatus,
    Department,
    HouseholdRecord,
    MemberRecord,
    PartyRecord,
    SourceRef,
)
from hub.sources.contract import check_record, contract_fields
from hub.sources.public_security.records import (
    HouseholdPayload,
    IncidentPartyPayload,
    IncidentPayload,
    MemberPayload,
)

DEPARTMENT = Department.PUBLIC_SECURITY


def map_household(payload: HouseholdPayload) -> HouseholdRecord:
    """A household and its members, with national codes checked and identities normalised.

    Raises `RecordRejected` when a required field is missing, a code is unknown, a date is malformed
    or a member's ID number is invalid; the whole household goes to quarantine, not part of it.
    """
    hh_no = fields.require_str(payload, "hh_no")
    source = SourceRef(DEPARTMENT, hh_no)
    raw_members = fields.require(payload, "members")
    if not isinstance(raw_members, list) or not raw_members:
        raise fields.reject("members", "missing", f"household {hh_no} lists no members")
    members = tuple(_member(member, source, index) for index, member in enumerate(raw_members))
    # Not stored (the watermark reads it), but a change time that does not parse is a defect the
    # department must hear about, not a household silently published without one.
    fields.parse_optional_datetime(payload.get("updated_at"), field="updated_at")
    return HouseholdRecord(
        hh_no=hh_no,
        division_code=fields.require_str(payload, "division_code"),
        address=fields.require_str(payload, "address"),
        members=members,
        source=source,
    )


def _member(payload: MemberPayload, source: SourceRef, index: int) -> MemberRecord:
    if not isinstance(payload, dict):
        raise fields.reject("members", "bad_type", f"member {index} is not an object: {payload!r:.80}")
    check_record(payload, contract=contract_fields(MemberPayload), where="members")
    birth_raw = payload.get("birth_date")
    person = fields.person(
        name=payload.get("name"),
        id_number=payload.get("id_no"),
        name_field="members.name",
        id_field="members.id_no",
        sex=fields.code("sex", payload.get("sex"), field="members.sex"),
        ethnicity=fields.code("ethnicity", payload.get("nation"), field="members.nation"),
        birth_date=fields.parse_iso_date(birth_raw, field="members.birth_date") if birth_raw else None,
        phone=payload.get("phone"),
    )
    relation = fields.code("family_relation", payload.get("relation"), field="members.relation")
    return MemberRecord(person=person, relation=relation, source=source)


def map_incident(payload: IncidentPayload) -> CaseRecord:
    """A police incident or case as a `CaseRecord` of kind incident, public_order or criminal."""
    incident_no = fields.require_str(payload, "incident_no")
    kind = fields.translate("case_kinds", DEPARTMENT, payload.get("kind"), field="kind")
    category = fields.translate("case_categories", DEPARTMENT, payload.get("category"), field="category")
    status = fields.translate("case_statuses", DEPARTMENT, payload.get("status"), field="status")
    current = CaseStatus(status["status"])
    opened_at = fields.parse_datetime(fields.require(payload, "reported_at"), field="reported_at")
    closed_at = fields.parse_optional_datetime(payload.get("closed_at"), field="closed_at")
    updated_at = fields.parse_optional_datetime(payload.get("updated_at"), field="updated_at")
    raw_parties = payload.get("parties") or []
    if not isinstance(raw_parties, list):
        raise fields.reject("parties", "bad_type", f"parties should be a list, got {raw_parties!r:.80}")
    return CaseRecord(
        case_no=incident_no,
        department=DEPARTMENT,
        kind=CaseKind(kind["kind"]),
        category=category.code,
        status=current,
        opened_at=opened_at,
        closed_at=closed_at,
        division_code=fields.optional_str(payload, "division_code"),
        address=fields.optional_str(payload, "address"),
        summary=fields.optional_str(payload, "summary"),
        source=SourceRef(DEPARTMENT, incident_no),
        parties=tuple(_party(party) for party in raw_parties),
        events=fields.derive_events(
            opened_at=opened_at, closed_at=closed_at, status=current, status_since=updated_at
        ),
    )


def _party(payload: IncidentPartyPayload) -> PartyRecord:
    if not isinstance(payload, dict):
        raise fields.reject("parties", "bad_type", f"party is not an object: {payload!r:.80}")
    check_record(payload, contract=contract_fields(IncidentPartyPayload), where="parties")
    role = fields.translate("party_roles", DEPARTMENT, payload.get("role"), field="parties.role")
    person = fields.person(
        name=payload.get("name"),
        id_number=payload.get("id_no"),
        name_field="parties.name",
        id_field="parties.id_no",
    )
    return PartyRecord(person=person, role=role["role"])
