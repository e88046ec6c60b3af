"""Petition versions as the petitions feed sends them, one JSON object per line."""

from __future__ import annotations

from typing import TypedDict

# A feed line that is not a JSON object is passed on under this key, so that the mapping can
# quarantine it with a reason instead of the client dropping it.
MALFORMED_LINE = "_malformed_line"


class PetitionerPayload(TypedDict, total=False):
    id_no: str | None
    name: str
    phone: str | None


class CoPetitionerPayload(TypedDict, total=False):
    id_no: str | None
    name: str


class PetitionPayload(TypedDict, total=False):
    petition_no: str
    channel: str  # letter | visit | web | 12345
    category: str
    petitioner: PetitionerPayload
    co_petitioners: list[CoPetitionerPayload]
    is_repeat: bool
    is_group: bool
    received_at: str
    deadline: str  # YYYY-MM-DD, 60 days after receipt
    status: str  # received | assigned | handling | replied | closed
    assigned_to: str | None  # justice | public_security | civil_affairs | township
    referred_case_no: str | None
    replied_at: str | None
    satisfaction: str | None  # satisfied | basically_satisfied | unsatisfied
    division_code: str
    changed_at: str


def petition_id(payload: PetitionPayload) -> str:
    """The record id the petitions office gives a petition (信访件编号)."""
    return str(payload.get("petition_no") or "")


def petition_version_id(payload: PetitionPayload) -> str:
    """One version of a petition in the feed: its number and the moment it changed."""
    number, changed = payload.get("petition_no"), payload.get("changed_at")
    return f"{number}@{changed}" if number and changed else ""
