"""Relay's Node interface, cursor connections, and the cap on lists inside one object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from hub.api.ids import to_cursor, to_global_id
from hub.errors import InvalidInput
from hub.warehouse.pagination import MAX_PAGE_SIZE, Page

T = TypeVar("T")
R = TypeVar("R")


@strawberry.interface(description="An object with a global ID, refetchable with `node(id)`.")
class Node:
    row_id: strawberry.Private[int]

    @strawberry.field
    def id(self) -> strawberry.ID:
        # Encoded when a query asks for it (a method of `self` alone is read as a plain field, see
        # `hub.api.execution`): a page builds hundreds of objects, and most views never show their ids.
        return strawberry.ID(to_global_id(type(self).__name__, self.row_id))


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="One page of a list; ask for the next with `after: pageInfo.endCursor`.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: Page[R], build: Callable[[R], T], id_of: Callable[[R], int]) -> Connection[T]:
        edges = [Edge(cursor=to_cursor(id_of(row)), node=build(row)) for row in page.items]
        end = to_cursor(page.last_id) if page.last_id is not None else None
        return cls(edges=edges, page_info=PageInfo(has_next_page=page.has_next, end_cursor=end))


def present(rows: Sequence[R | None]) -> list[R]:
    """The rows a loader found (a missing or out-of-scope row is simply left out)."""
    return [row for row in rows if row is not None]


def capped(first: int) -> int:
    """`first` for a list inside one object (a household's cases …): 1–100, like a page."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}, got {first}")
    return first
