"""Who is reading: the viewer every read service takes, and the scope it grants (DESIGN §8)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    TOWNSHIP_OFFICER = "township_officer"
    COUNTY_OFFICER = "county_officer"
    DEPARTMENT_OFFICER = "department_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Viewer:
    """An authenticated caller. `scope_codes` are division or grid code prefixes they may see.

    An empty scope means the whole county, which only county-wide roles get.
    """

    user_id: str
    role: Role
    scope_codes: tuple[str, ...] = ()
    department: str | None = None

    @property
    def sees_everything(self) -> bool:
        return self.role is Role.ADMIN or (self.role is Role.COUNTY_OFFICER and not self.scope_codes)


SYSTEM_VIEWER = Viewer(user_id="system", role=Role.ADMIN)
"""The viewer the CLI and pipelines act as."""
