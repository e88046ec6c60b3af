"""The schema's enums hold exactly the codes of the reference tables they mirror."""

from __future__ import annotations

from enum import Enum

import pytest

from hub.api.types.enums import CaseStatus, Department, PartyRole, ResolutionLevel, Satisfaction, TagKind
from hub.reference.tables import load_table


@pytest.mark.parametrize(
    ("enum", "table", "column"),
    [
        (TagKind, "tag_kinds", "code"),
        (Satisfaction, "satisfaction", "code"),
        (PartyRole, "party_roles", "role"),
        (CaseStatus, "case_statuses", "status"),
        (ResolutionLevel, "resolution_levels", "level"),
    ],
)
def test_enum_mirrors_its_reference_table(enum: type[Enum], table: str, column: str) -> None:
    codes = {entry[column] for entry in load_table(table)}

    assert codes <= {member.value for member in enum}
    if enum not in (ResolutionLevel,):
        assert {member.value for member in enum} == codes


def test_every_department_has_a_label() -> None:
    labelled = {entry.code for entry in load_table("departments")}

    assert {d.value for d in Department} <= labelled
