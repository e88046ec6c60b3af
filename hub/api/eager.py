"""Resolvers that answer at once when their loaders already hold the answer.

graphql-core 3.2 wraps every awaitable field in coroutines and gathers them in Tasks; measured on the
benchmark's page of 100 households, that was over a thousand Tasks and about half of the request's
time, although most of those fields only awaited loader futures that were already resolved (awaiting
a done future does not suspend). `eager` runs an `async def` resolver at once, as Python 3.12's eager
tasks do: when it finishes without suspending, its value goes straight back to graphql-core, which
then completes the field without a coroutine or a Task; when it does suspend, it goes on as an
ordinary awaitable. `hub.api.prefetch` loads what a selection will ask for, so that most fields
finish at once.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class _Suspended(Awaitable[T]):
    """The rest of a coroutine that suspended in its first step, starting with what it yielded."""

    __slots__ = ("_blocking", "_coroutine", "_yielded")

    def __init__(self, coroutine: Coroutine[Any, Any, T], yielded: Any, blocking: bool) -> None:
        self._coroutine = coroutine
        self._yielded = yielded
        self._blocking = blocking

    def __await__(self) -> Generator[Any, Any, T]:
        coroutine, yielded = self._coroutine, self._yielded
        if self._blocking:
            # Handed on as it was first yielded, so that the awaiting Task waits for it.
            yielded._asyncio_future_blocking = True
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as error:
                try:
                    yielded = coroutine.throw(error)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
            else:
                try:
                    yielded = coroutine.send(sent)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]


def eager(resolver: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T | Awaitable[T]]:
    """`resolver` run at once: its value when it does not suspend, else an awaitable of the rest.

    Strawberry reads the GraphQL type from the wrapped resolver's signature, and sees a synchronous
    resolver (graphql-core awaits whatever awaitable it returns).
    """

    @functools.wraps(resolver)
    def run(*args: P.args, **kwargs: P.kwargs) -> T | Awaitable[T]:
        coroutine = resolver(*args, **kwargs)
        try:
            yielded = coroutine.send(None)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        # A future the coroutine waits for is marked as being awaited until a Task takes it; clear the
        # mark as a Task would, so that other resolvers may await the same future in the meantime.
        blocking = bool(getattr(yielded, "_asyncio_future_blocking", False))
        if blocking:
            yielded._asyncio_future_blocking = False
        return _Suspended(coroutine, yielded, blocking)

    return run
