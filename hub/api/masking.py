"""Which roles see personal data unmasked; the masking rules themselves are in `hub.privacy`."""

from __future__ import annotations

from hub.warehouse.viewer import Role, Viewer

UNMASKED_ROLES = frozenset({Role.ADMIN})


def sees_unmasked(viewer: Viewer) -> bool:
    return viewer.role in UNMASKED_ROLES
