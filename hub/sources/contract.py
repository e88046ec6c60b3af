"""Schema drift against the contract: a page that departs from it as a whole, or one record.

A department's record may carry a renamed or an extra field (schema drift): that record is
quarantined with its reason and the rest flows on. When *every* item of a page lacks the same
contract field and carries the same unknown one, the page is not a set of drifted records but a
bad response (a half-finished deploy, a proxy rewriting keys): it is asked for again, and only
when the department keeps answering that way are its records taken, and quarantined one by one.
Without this, a momentary fault would quarantine a whole page of good records, and the cursor
would move past them.

A record (or an object inside one: a household's member, a case's party) that lacks a contract
field and carries a field the contract does not name had a field renamed: its value would be read
as missing, so `check_record` rejects it, naming the field. A field only added, with none lost,
changes nothing the hub reads, and the record flows on (the stream's drift metadata counts it).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import requests

from hub.errors import RecordRejected
from hub.sources.http import MalformedResponse, json_body


@cache
def contract_fields(payload_type: type) -> frozenset[str]:
    """The top-level fields a payload `TypedDict` promises, required or not."""
    keys: frozenset[str] = payload_type.__required_keys__ | payload_type.__optional_keys__  # type: ignore[attr-defined]
    return frozenset(keys)


def check_page(items: Sequence[object], *, contract: frozenset[str], parsed: Any = None) -> None:
    """Raise `MalformedResponse` when every item lacks a contract field and carries the same unknown one.

    `parsed` is what the caller returns for this page (the items when None); a page whose items
    drift differently, or add a field without losing one, is a page of records like any other.
    """
    records = [item for item in items if isinstance(item, dict)]
    if not records or len(records) < len(items):
        return
    present = set().union(*(record.keys() for record in records))
    lost = contract - present
    unknown = set.intersection(*(set(record) - contract for record in records))
    if lost and unknown:
        raise MalformedResponse(
            f"sent {len(records)} items that all lack {', '.join(sorted(lost))} "
            f"and carry {', '.join(sorted(unknown))}, which the contract does not name",
            items if parsed is None else parsed,
        )


def json_page(response: requests.Response, *, contract: frozenset[str], items_at: Sequence[str]) -> Any:
    """A JSON page's body, its items (under the keys `items_at`) checked with `check_page`.

    `MalformedResponse` when the body is not JSON or every item drifted alike; a body of another
    shape is returned as it is, for the client to judge.
    """
    body = json_body(response)
    items: Any = body
    for key in items_at:
        items = items.get(key) if isinstance(items, dict) else None
    if isinstance(items, list):
        check_page(items, contract=contract, parsed=body)
    return body


def check_record(item: object, *, contract: frozenset[str], where: str = "") -> None:
    """Reject (`<where.field>.renamed`) an object that lacks a contract field and carries an unknown one.

    `where` is the path of a nested object (`members`), so that the rule names the field as the
    contract does (`members.birth_date.renamed`).
    """
    if not contract or not isinstance(item, dict):
        return
    lost = sorted(contract - item.keys())
    unknown = sorted(item.keys() - contract)
    if lost and unknown:
        prefix = f"{where}." if where else ""
        raise RecordRejected(
            rule=f"{prefix}{lost[0]}.renamed",
            reason=f"{where or 'the record'} lacks {', '.join(lost)} and carries {', '.join(unknown)}: "
            "a field renamed, whose value would be read as missing",
        )
