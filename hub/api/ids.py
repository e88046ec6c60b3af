"""Relay global IDs: opaque to clients, stable, and naming the type they belong to."""

from __future__ import annotations

import base64
import binascii

from hub.errors import InvalidInput


def to_global_id(type_name: str, id_: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{id_}".encode()).decode().rstrip("=")


def from_global_id(global_id: str, *, expected: str | None = None) -> tuple[str, int]:
    """The type name and surrogate id inside a global ID; `expected` checks the type too."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        id_ = int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(f"{global_id!r} is not a valid ID") from None
    if expected is not None and type_name != expected:
        raise InvalidInput(f"{global_id!r} is the ID of a {type_name}, not of a {expected}")
    return type_name, id_


def to_cursor(id_: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{id_}".encode()).decode().rstrip("=")


def from_cursor(cursor: str | None) -> int | None:
    """The keyset position inside a cursor from a previous page (None starts at the beginning)."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if prefix != "cursor":
            raise ValueError(prefix)
        return int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(f"{cursor!r} is not a cursor from this API") from None
