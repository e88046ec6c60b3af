"""The canonical rows every department's mapping produces and the warehouse loads.

A department's `mapping.py` turns its payloads into these types; the publish service in
`hub.warehouse` upserts them. They carry codes already mapped to the national standards in
`hub.reference` and identity fields already normalised (18-digit ID numbers, simplified names), while
`SourceRef` keeps where each row came from so that provenance survives every merge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Department(StrEnum):
    """Systems the hub pulls from; `registry` is the comprehensive-governance centre's master data."""

    PUBLIC_SECURITY = "public_security"
    CIVIL_AFFAIRS = "civil_affairs"
    JUSTICE = "justice"
    PETITIONS = "petitions"
    REGISTRY = "registry"


class CaseKind(StrEnum):
    DISPUTE = "dispute"
    INCIDENT = "incident"
    PUBLIC_ORDER = "public_order"
    CRIMINAL = "criminal"
    PETITION = "petition"
    ASSISTANCE = "assistance"


class CaseStatus(StrEnum):
    """受理 → 分流 → 办理 → 办结 → 回访: the lifecycle every department's case is mapped onto."""

    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    FOLLOWED_UP = "followed_up"


class ResolutionLevel(StrEnum):
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"
    ABOVE = "above"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Which system sent a row, and under which of its own record ids."""

    department: Department
    record_id: str


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One source's statement about a person; resolution decides which warehouse person it is."""

    name: str
    id_number: str | None  # normalised 18-digit GB 11643 number, None when the source gave none
    id_number_as_sent: str | None  # as the source wrote it (15-digit legacy, full-width …)
    sex: str | None = None  # GB/T 2261.1
    ethnicity: str | None = None  # GB/T 3304
    birth_date: dt.date | None = None
    phone: str | None = None
    name_as_sent: str | None = None  # as the source wrote it, when normalising changed it


@dataclass(frozen=True, slots=True)
class DivisionRecord:
    code: str
    name: str
    level: str
    parent_code: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class GridRecord:
    code: str
    name: str
    level: str  # grid | micro
    division_code: str
    parent_code: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True)
class GridWorkerRecord:
    worker_no: str
    name: str
    phone: str | None
    grid_code: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class AddressGridRecord:
    address: str
    grid_code: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class MemberRecord:
    person: PersonRecord
    relation: str  # GB/T 4761
    source: SourceRef


@dataclass(frozen=True, slots=True)
class HouseholdRecord:
    hh_no: str
    division_code: str
    address: str
    members: tuple[MemberRecord, ...]
    source: SourceRef


@dataclass(frozen=True, slots=True)
class TagRecord:
    """A special-population tag or benefit (低保, 社区矫正 …) held by a person for a period."""

    person: PersonRecord
    kind: str  # a tag kind code from hub/reference/tag_kinds.csv
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: SourceRef
    amount: str | None = None  # monthly amount of a benefit, as a decimal string
    household_no: str | None = None


@dataclass(frozen=True, slots=True)
class HouseholdRatingRecord:
    """A 十星级文明户 assessment: the stars (0–10) a village committee gave a household for one year."""

    hh_no: str
    year: int
    stars: int
    assessed_by: str  # the assessing 村民委员会 or 居民委员会, as the department names it
    assessed_on: dt.date
    source: SourceRef


@dataclass(frozen=True, slots=True)
class MoralPointRecord:
    """A 道德银行 entry: signed points booked to a household on a day, and its balance after it."""

    entry_no: str
    hh_no: str
    recorded_on: dt.date
    reason: str  # a code from hub/reference/data/moral_point_reasons.csv
    points: int  # negative for a redemption or a deduction
    balance: int
    source: SourceRef


@dataclass(frozen=True, slots=True)
class PartyRecord:
    person: PersonRecord
    role: str  # reporter | respondent | witness | applicant | petitioner | co_petitioner


@dataclass(frozen=True, slots=True)
class CaseLinkRecord:
    """A reference from this case to another department's case (a petition referred to mediation …)."""

    target_case_no: str
    relation: str  # referred_to | originated_from | related


@dataclass(frozen=True, slots=True)
class CaseEventRecord:
    at: dt.datetime
    status: CaseStatus
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case_no: str
    department: Department
    kind: CaseKind
    category: str
    status: CaseStatus
    opened_at: dt.datetime
    division_code: str | None
    source: SourceRef
    closed_at: dt.datetime | None = None
    deadline: dt.date | None = None
    resolution_level: ResolutionLevel | None = None
    summary: str | None = None
    satisfaction: str | None = None
    address: str | None = None
    parties: tuple[PartyRecord, ...] = ()
    links: tuple[CaseLinkRecord, ...] = ()
    events: tuple[CaseEventRecord, ...] = field(default_factory=tuple)
    channel: str | None = None  # petitions: letter | visit | web | 12345 (reference/petition_channels.csv)
    assigned_to: str | None = None  # department or township a case was handed to (reference/departments.csv)
    is_repeat: bool = False  # petitions: 重复信访
    is_group: bool = False  # petitions: 集体访
    outcome: str | None = None  # how a resolved case ended: success | failure | approved | rejected
    amount: str | None = None  # assistance granted, as a decimal string
