"""GraphQL enums for every fixed code set; each mirrors a canonical enum or a reference table.

GraphQL names the values in upper case (`PUBLIC_SECURITY`); the warehouse stores the lower-case
codes, which are the Python values. `tests/api/test_enums.py` checks them against `hub/reference`.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from hub.enums import member_of
from hub.sources.canonical import CaseKind, CaseStatus, Department, ResolutionLevel
from hub.warehouse.viewer import Role

# The canonical enums become GraphQL enums in place (strawberry.enum marks and returns the class).
strawberry.enum(Department, description="A source system (部门)")
strawberry.enum(CaseKind, description="What kind of case")
strawberry.enum(
    CaseStatus,
    description="受理 received → 分流 assigned → 办理 in progress → 办结 resolved → 回访 followed up",
)
strawberry.enum(ResolutionLevel, description="化解层级: where a case was settled")
strawberry.enum(Role, description="What a caller may see (DESIGN §8)")

__all__ = [
    "CaseKind",
    "CaseStatus",
    "Department",
    "GridLevel",
    "PartyRole",
    "ResolutionLevel",
    "Role",
    "Satisfaction",
    "TagKind",
    "TimelineKind",
]


@strawberry.enum(description="特殊人群 / 救助: tag kinds (hub/reference/data/tag_kinds.csv)")
class TagKind(Enum):
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance"
    EXTREME_POVERTY = "extreme_poverty"
    DISABLED = "disabled"
    LEFT_BEHIND_ELDERLY = "left_behind_elderly"
    LEFT_BEHIND_CHILD = "left_behind_child"
    COMMUNITY_CORRECTION = "community_correction"
    RELEASED_PRISONER = "released_prisoner"
    DRUG_USER = "drug_user"
    SEVERE_MENTAL_DISORDER = "severe_mental_disorder"
    FREQUENT_PETITIONER = "frequent_petitioner"


@strawberry.enum(description="A party's role in a case (hub/reference/data/party_roles.csv)")
class PartyRole(Enum):
    REPORTER = "reporter"
    RESPONDENT = "respondent"
    WITNESS = "witness"
    APPLICANT = "applicant"
    PETITIONER = "petitioner"
    CO_PETITIONER = "co_petitioner"


@strawberry.enum(description="信访事项满意度评价 (hub/reference/data/satisfaction.csv)")
class Satisfaction(Enum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


@strawberry.enum(description="网格 (15-digit code) or 微网格 (17-digit code)")
class GridLevel(Enum):
    GRID = "grid"
    MICRO = "micro"


@strawberry.enum(description="What a household timeline entry records")
class TimelineKind(Enum):
    CASE_EVENT = "case_event"
    TAG_STARTED = "tag_started"
    TAG_ENDED = "tag_ended"
    MEMBER_JOINED = "member_joined"


# A stored code as its member, for the types' `from_row`s: a page of households builds hundreds.
as_case_kind = member_of(CaseKind)
as_case_status = member_of(CaseStatus)
as_department = member_of(Department)
as_grid_level = member_of(GridLevel)
as_party_role = member_of(PartyRole)
as_resolution_level = member_of(ResolutionLevel)
as_satisfaction = member_of(Satisfaction)
as_tag_kind = member_of(TagKind)
