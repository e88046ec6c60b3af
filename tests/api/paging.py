"""Following a connection to its end, as a client would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hub.warehouse.viewer import Viewer
from tests.support.graphql import ADMIN, execute


def every_node(
    query: str, field: str, *, engine: Engine, viewer: Viewer = ADMIN, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every node of the top-level connection `field`; `query` takes `$after: String`."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        result = execute(query, engine=engine, viewer=viewer, variables={**(variables or {}), "after": after})
        assert result.errors is None, result.errors
        connection = result.data[field]
        nodes.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]
