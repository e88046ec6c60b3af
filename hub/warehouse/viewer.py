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


# Roles whose empty scope means the whole county rather than nothing.
COUNTY_WIDE_ROLES = frozenset({Role.COUNTY_OFFICER, Role.DEPARTMENT_OFFICER})


@dataclass(frozen=True, slots=True)
class Viewer:
    """An authenticated caller. `scope_codes` are division or grid code prefixes they may see.

    An empty scope means the whole county, which only county-wide roles get. A department officer
    additionally sees only their own department's cases, and other departments' tags only when they
    are not sensitive (grade 1).
    """

    user_id: str
    role: Role
    scope_codes: tuple[str, ...] = ()
    department: str | None = None

    @property
    def sees_every_grid(self) -> bool:
        """No grid restriction applies (households, persons and cases of the whole county)."""
        return self.role is Role.ADMIN or (self.role in COUNTY_WIDE_ROLES and not self.scope_codes)

    @property
    def limited_to_department(self) -> bool:
        """Cases and sensitive tags are limited to `department` (department officers)."""
        return self.role is Role.DEPARTMENT_OFFICER

    @property
    def sees_everything(self) -> bool:
        """Every row of every table the API serves, unrestricted."""
        return self.sees_every_grid and not self.limited_to_department

    @property
    def reads_access_log(self) -> bool:
        return self.role in (Role.AUDITOR, Role.ADMIN)


SYSTEM_VIEWER = Viewer(user_id="system", role=Role.ADMIN)
"""The viewer the CLI and pipelines act as."""
