"""The hub's one small error hierarchy.

Each error maps once to a GraphQL `extensions.code` (see `hub.api.errors`) and to a Dagster failure,
so that a service raises what went wrong in domain words and each edge decides how to say it.
"""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    code = "INTERNAL_SERVER_ERROR"


class NotFound(HubError):
    """The thing asked for does not exist, or the viewer may not know that it exists."""

    code = "NOT_FOUND"


class Forbidden(HubError):
    """The viewer is known but may not do this."""

    code = "FORBIDDEN"


class Unauthenticated(HubError):
    """No valid credentials came with the request."""

    code = "UNAUTHENTICATED"


class InvalidInput(HubError):
    """An argument is malformed or out of range; the message says which and why."""

    code = "BAD_USER_INPUT"


class SourceUnavailable(HubError):
    """A department's system did not answer usefully after every retry."""

    code = "SOURCE_UNAVAILABLE"


class RecordRejected(HubError):
    """One source record cannot be mapped; it goes to quarantine with this rule and reason."""

    code = "RECORD_REJECTED"

    def __init__(self, *, rule: str, reason: str) -> None:
        super().__init__(f"{rule}: {reason}")
        self.rule = rule
        self.reason = reason
