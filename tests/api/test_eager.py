"""Eager resolvers: an answer the loaders already hold comes back at once, anything else is awaited."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from hub.api.eager import eager


@eager
async def first_of(future: asyncio.Future[list[int]]) -> int:
    return (await future)[0]


def test_a_resolver_whose_future_is_done_answers_without_an_awaitable() -> None:
    async def run() -> object:
        done: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        done.set_result([7, 8])
        return first_of(done)

    assert asyncio.run(run()) == 7


def test_a_resolver_that_must_wait_is_awaited_to_its_answer() -> None:
    async def run() -> int:
        pending: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        answer = first_of(pending)
        assert inspect.isawaitable(answer)
        asyncio.get_running_loop().call_soon(pending.set_result, [3])
        return await answer

    assert asyncio.run(run()) == 3


def test_resolvers_waiting_for_the_same_future_are_all_answered() -> None:
    async def run() -> list[int]:
        pending: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        answers = [first_of(pending) for _ in range(3)]
        asyncio.get_running_loop().call_soon(pending.set_result, [5])
        return list(await asyncio.gather(*answers))  # type: ignore[arg-type]

    assert asyncio.run(run()) == [5, 5, 5]


def test_an_error_is_raised_at_once_or_when_awaited() -> None:
    async def run() -> None:
        failed: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        failed.set_exception(LookupError("gone"))
        with pytest.raises(LookupError):
            first_of(failed)

        pending: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        answer = first_of(pending)
        pending.set_result([])
        with pytest.raises(IndexError):
            await answer  # type: ignore[misc]

    asyncio.run(run())


def test_cancelling_a_waiting_resolver_cancels_what_it_waits_for() -> None:
    async def run() -> asyncio.Future[list[int]]:
        pending: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(first_of(pending))  # type: ignore[arg-type]
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return pending

    assert asyncio.run(run()).cancelled()
