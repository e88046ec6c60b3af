"""What every paginated client needs beyond HTTP: dropping items a department repeats across pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def unique_by(items: Iterable[T], key: Callable[[T], str]) -> Iterator[T]:
    """Yield each item whose key was not seen before in this iteration, lazily.

    Departments repeat an item on two pages when data shifts under offset/page pagination; the first
    copy wins. Items without a key (empty string) are all passed on, so that the mapping can reject
    them with a reason rather than the client dropping them silently.
    """
    seen: set[str] = set()
    for item in items:
        item_key = key(item)
        if item_key and item_key in seen:
            continue
        if item_key:
            seen.add(item_key)
        yield item
