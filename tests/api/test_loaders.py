"""Loaders primed and read in bulk answer as Strawberry's DataLoader answers key by key."""

from __future__ import annotations

import asyncio

from strawberry.dataloader import DataLoader

from hub.api.loaders import _KeyedCache, load_all, load_batch, prime


def _loader(calls: list[list[int]]) -> DataLoader[int, int]:
    async def double(keys: list[int]) -> list[int]:
        calls.append(list(keys))
        return [key * 2 for key in keys]

    return DataLoader(load_fn=double, cache_map=_KeyedCache())


def test_a_batch_reads_only_the_keys_not_held_and_answers_in_the_order_asked() -> None:
    calls: list[list[int]] = []

    async def scenario() -> tuple[list[int], list[int]]:
        loader = _loader(calls)
        prime(loader, {2: 40})
        first = await load_batch(loader, [3, 2, 3, 1])
        return first, await load_all(loader, [1, 2, 3])

    first, again = asyncio.run(scenario())

    assert first == [6, 40, 6, 2]  # a primed value stands; a key asked twice is read once
    assert again == [2, 40, 6]
    assert calls == [[3, 1]]


def test_priming_a_key_a_resolver_already_waits_for_answers_the_resolver() -> None:
    calls: list[list[int]] = []

    async def scenario() -> tuple[int, int]:
        loader = _loader(calls)
        waiting = loader.load(7)  # in a batch not yet sent
        prime(loader, {7: 70, 8: 80})
        return await waiting, (await load_all(loader, [8]))[0]

    assert asyncio.run(scenario()) == (70, 80)
    assert calls == []  # the batch had nothing left to read


def test_priming_keeps_what_the_loader_holds_already() -> None:
    async def scenario() -> list[int]:
        loader = _loader([])
        await load_batch(loader, [1])
        prime(loader, {1: 100, 2: 200})
        return await load_all(loader, [1, 2])

    assert asyncio.run(scenario()) == [2, 200]
