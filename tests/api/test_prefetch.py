"""Prefetching: a selection's relations are loaded before its fields resolve, without changing answers."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from tests.support.graphql import counting_statements, execute

NODE = """
  hhNo members { relation person { name tags { kind } } } tags { kind person { name } }
  cases { caseNo parties { role person { name } } events { status } linkedCases { caseNo } }
"""


def page(node: str) -> str:
    """A page of `$first` households, selecting `node` on each."""
    return "query Page($first: Int!) { households(first: $first) { edges { node { " + node + " } } } }"


PAGE = page(NODE)
# The same through a fragment without a type condition, which Strawberry's `info.selected_fields` rejects.
SPREAD = page("... { " + NODE + " }")


@contextmanager
def counting_tasks() -> Iterator[list[str]]:
    """The name of every coroutine run as a Task inside the block (by `execute`'s own event loop)."""
    created: list[str] = []
    policy = asyncio.get_event_loop_policy()
    new_event_loop = policy.new_event_loop

    def counted_loop() -> asyncio.AbstractEventLoop:
        loop = new_event_loop()

        def factory(
            loop: asyncio.AbstractEventLoop,
            coroutine: Coroutine[Any, Any, Any] | Generator[Any, None, Any],
            **options: Any,
        ) -> asyncio.Task[Any]:
            created.append(getattr(coroutine, "__qualname__", type(coroutine).__name__))
            return asyncio.Task(coroutine, loop=loop, **options)

        loop.set_task_factory(factory)
        return loop

    policy.new_event_loop = counted_loop  # type: ignore[method-assign]
    try:
        yield created
    finally:
        policy.new_event_loop = new_event_loop  # type: ignore[method-assign]


def test_a_page_resolves_its_fields_without_a_task_each(engine: Engine) -> None:
    with counting_tasks() as small:
        assert execute(PAGE, engine=engine, variables={"first": 5}).errors is None
    with counting_tasks() as large:
        assert execute(PAGE, engine=engine, variables={"first": 100}).errors is None

    # The operation itself and one per loader batch; none per household, member or case.
    assert len(large) == len(small) <= 16


def test_a_prefetched_view_runs_in_the_operations_own_task(engine: Engine) -> None:
    ids = execute(
        "{ households(first: 1) { edges { node { id } } } cases(first: 1) { edges { node { id } } } }",
        engine=engine,
    ).data
    views = [
        (PAGE, {"first": 20}),
        ("query($id: ID!) { household(id: $id) { " + NODE + " } }", {"id": node_id(ids, "households")}),
        (
            "query($id: ID!) { case(id: $id) { parties { person { name } } linkedCases { events { at } } } }",
            {"id": node_id(ids, "cases")},
        ),
    ]
    for query, variables in views:
        with counting_tasks() as tasks:
            assert execute(query, engine=engine, variables=variables).errors is None

        # `asyncio.run`'s own: the operation, and the loop's shutdown. No root field or loader batch.
        assert [t for t in tasks if not t.startswith("BaseEventLoop.shutdown")] == ["Schema.execute"]


def node_id(found: dict[str, Any], connection: str) -> str:
    return str(found[connection]["edges"][0]["node"]["id"])


def test_a_fragment_changes_neither_the_answer_nor_the_statements(engine: Engine) -> None:
    with counting_statements(engine) as plain_statements:
        plain = execute(PAGE, engine=engine, variables={"first": 40})
    with counting_statements(engine) as spread_statements:
        spread = execute(SPREAD, engine=engine, variables={"first": 40})

    assert plain.errors is None and spread.errors is None
    assert spread.data == plain.data
    assert len(spread_statements) == len(plain_statements)


def test_a_skipped_relation_is_not_loaded(engine: Engine) -> None:
    with counting_statements(engine) as included:
        execute(page("hhNo members { relation }"), engine=engine, variables={"first": 10})
    with counting_statements(engine) as skipped:
        result = execute(
            page("hhNo members @skip(if: true) { relation }"), engine=engine, variables={"first": 10}
        )

    assert result.errors is None and result.data is not None
    assert all(set(edge["node"]) == {"hhNo"} for edge in result.data["households"]["edges"])
    assert len(skipped) == len(included) - 1
