"""Reading a department's pages ahead: the same lists in the same order, errors where they happened."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator

import pytest

from hub.db.upsert import batched
from hub.sources.paging import read_ahead

RUN = contextvars.ContextVar("run", default="none")


def test_read_ahead_gives_the_lists_batched_gives_in_order() -> None:
    items = [f"record-{n}" for n in range(2_345)]

    assert list(read_ahead(iter(items), size=1_000)) == list(batched(items, 1_000))
    assert list(read_ahead(iter([]), size=1_000)) == []


def test_an_error_while_reading_arrives_after_the_lists_read_before_it() -> None:
    def pages() -> Iterator[int]:
        yield from range(25)
        raise ConnectionError("page 3: the department hung up")

    received: list[list[int]] = []
    with pytest.raises(ConnectionError, match="page 3"):
        for chunk in read_ahead(pages(), size=10):
            received.append(chunk)

    assert received == [list(range(10)), list(range(10, 20))]


def test_a_consumer_that_stops_stops_the_reader_and_closes_the_source() -> None:
    read = 0
    closed = threading.Event()

    def pages() -> Iterator[int]:
        nonlocal read
        try:
            for n in range(1_000_000):
                read += 1
                yield n
        finally:
            closed.set()

    chunks = read_ahead(pages(), size=10, depth=2)
    first = next(chunks)
    chunks.close()

    assert first == list(range(10))
    assert closed.wait(timeout=5), "the source was not closed"
    assert read <= 10 * (1 + 2 + 1) + 1  # the list taken, the queue's two, the one being offered


def test_the_reader_runs_in_the_consumers_context() -> None:
    seen: list[str] = []

    def pages() -> Iterator[int]:
        seen.append(RUN.get())
        yield 1

    token = RUN.set("run-42")
    try:
        chunks = list(read_ahead(pages(), size=10))
    finally:
        RUN.reset(token)

    assert chunks == [[1]]
    assert seen == ["run-42"]
