"""Who the caller is: a viewer from a signed bearer token (PyJWT), or the development viewer.

Tokens are HS256 JWTs signed with `HUB_JWT_SECRET` carrying `sub`, `role`, optional `scope` (division
or grid code prefixes) and `department`. Without a token, development gives the local admin so that
GraphiQL works out of the box; production refuses (UNAUTHENTICATED).
"""

from __future__ import annotations

import datetime as dt

import jwt

from hub.config import Settings
from hub.errors import Unauthenticated
from hub.warehouse.viewer import Role, Viewer

DEVELOPMENT_VIEWER = Viewer(user_id="local-admin", role=Role.ADMIN)
ALGORITHM = "HS256"


def viewer_from_authorization(header: str | None, *, settings: Settings) -> Viewer:
    """The viewer named by an `Authorization: Bearer <jwt>` header, checked against the secret."""
    if not header:
        if settings.is_production:
            raise Unauthenticated("an Authorization: Bearer token is required")
        return DEVELOPMENT_VIEWER
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "role", "exp"]},
        )
        role = Role(claims["role"])
    except (jwt.InvalidTokenError, ValueError) as error:
        raise Unauthenticated(f"invalid token: {error}") from None
    scope = claims.get("scope") or []
    return Viewer(
        user_id=str(claims["sub"]),
        role=role,
        scope_codes=tuple(str(code) for code in scope),
        department=claims.get("department"),
    )


def issue_token(viewer: Viewer, *, settings: Settings, lifetime: dt.timedelta = dt.timedelta(hours=8)) -> str:
    """A signed token for `viewer` (used by `hub api token` and by tests)."""
    claims = {
        "sub": viewer.user_id,
        "role": viewer.role.value,
        "scope": list(viewer.scope_codes),
        "department": viewer.department,
        "exp": dt.datetime.now(dt.UTC) + lifetime,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)
