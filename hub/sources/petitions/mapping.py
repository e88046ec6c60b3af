"""Petition versions → canonical petition cases, with petitioners, deadline, satisfaction and referral."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from hub.reference import known_code
from hub.sources import fields
from hub.sources.canonical import (
    CaseKind,
    CaseLinkRecord,
    CaseRecord,
    CaseStatus,
    Department,
    PartyRecord,
    SourceRef,
)
from hub.sources.contract import check_record, contract_fields
from hub.sources.petitions.records import (
    MALFORMED_LINE,
    CoPetitionerPayload,
    PetitionerPayload,
    PetitionPayload,
)

DEPARTMENT = Department.PETITIONS
# A petition handed to the body with authority to handle it (转送、交办) links to the case opened there.
REFERRED_TO = known_code("case_link_relations", "referred_to")


def map_petition(payload: PetitionPayload) -> CaseRecord:
    """One petition version as a case of kind petition.

    The status of this version becomes an event at `changed_at` (the feed's versions are the
    petition's status changes); receipt and reply become events at their own timestamps.
    """
    malformed = cast(Mapping[str, Any], payload).get(MALFORMED_LINE)
    if malformed is not None:
        raise fields.reject("record", "malformed", f"feed line is not a JSON object: {malformed!r:.120}")
    petition_no = fields.require_str(payload, "petition_no")
    channel = fields.code("petition_channels", payload.get("channel"), field="channel")
    category = fields.translate("case_categories", DEPARTMENT, payload.get("category"), field="category")
    status_entry = fields.translate("case_statuses", DEPARTMENT, payload.get("status"), field="status")
    status = CaseStatus(status_entry["status"])
    received_at = fields.parse_datetime(fields.require(payload, "received_at"), field="received_at")
    replied_at = fields.parse_optional_datetime(payload.get("replied_at"), field="replied_at")
    changed_at = fields.parse_optional_datetime(payload.get("changed_at"), field="changed_at")
    deadline_raw = payload.get("deadline")
    referred = fields.optional_str(payload, "referred_case_no")
    petitioner = payload.get("petitioner")
    if not isinstance(petitioner, dict):
        raise fields.reject("petitioner", "missing", f"petition {petition_no} names no petitioner")
    co_petitioners = payload.get("co_petitioners") or []
    if not isinstance(co_petitioners, list) or not all(isinstance(co, dict) for co in co_petitioners):
        raise fields.reject(
            "co_petitioners",
            "bad_type",
            f"co_petitioners should be a list of objects: {co_petitioners!r:.80}",
        )
    check_record(petitioner, contract=contract_fields(PetitionerPayload), where="petitioner")
    for co in co_petitioners:
        check_record(co, contract=contract_fields(CoPetitionerPayload), where="co_petitioners")
    parties = (
        PartyRecord(
            person=fields.person(
                name=petitioner.get("name"),
                id_number=petitioner.get("id_no"),
                name_field="petitioner.name",
                id_field="petitioner.id_no",
                phone=petitioner.get("phone"),
            ),
            role="petitioner",
        ),
        *(
            PartyRecord(
                person=fields.person(
                    name=co.get("name"),
                    id_number=co.get("id_no"),
                    name_field="co_petitioners.name",
                    id_field="co_petitioners.id_no",
                ),
                role="co_petitioner",
            )
            for co in co_petitioners
        ),
    )
    return CaseRecord(
        case_no=petition_no,
        department=DEPARTMENT,
        kind=CaseKind.PETITION,
        category=category.code,
        status=status,
        opened_at=received_at,
        closed_at=replied_at,
        deadline=fields.parse_iso_date(deadline_raw, field="deadline") if deadline_raw else None,
        satisfaction=fields.optional_code("satisfaction", payload.get("satisfaction"), field="satisfaction"),
        channel=channel,
        assigned_to=fields.optional_code("departments", payload.get("assigned_to"), field="assigned_to"),
        is_repeat=payload.get("is_repeat") is True,
        is_group=payload.get("is_group") is True,
        division_code=fields.optional_str(payload, "division_code"),
        source=SourceRef(DEPARTMENT, petition_no),
        parties=parties,
        # A petition handed to another department points at the case that department opened.
        links=(CaseLinkRecord(target_case_no=referred, relation=REFERRED_TO),) if referred else (),
        events=fields.derive_events(
            opened_at=received_at, closed_at=replied_at, status=status, status_since=changed_at
        ),
    )
