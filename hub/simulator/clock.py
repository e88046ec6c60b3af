"""Simulated time: moments drawn from a random stream, never from the wall clock."""

from __future__ import annotations

import datetime as dt
import hashlib
import random


def derive_rng(seed: int, *scope: str) -> random.Random:
    """An independent random stream for one part of the county (a village, a grid …).

    Hashing the seed with the scope means a village's content does not depend on how many villages
    came before it, so villages can be generated (and later streamed) one at a time.
    """
    digest = hashlib.sha256(":".join((str(seed), *scope)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def random_moment(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A moment in [start, end), whole seconds."""
    seconds = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randrange(max(1, seconds)))


def later(rng: random.Random, moment: dt.datetime, *, min_days: float, max_days: float) -> dt.datetime:
    """A moment between `min_days` and `max_days` after `moment`, whole seconds."""
    return moment + dt.timedelta(seconds=round(rng.uniform(min_days, max_days) * 86_400))


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day in [start, end)."""
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


class ManualClock:
    """A monotonic clock (seconds) that moves only when told to.

    Pass it to `create_app`/`running_simulator` to expire tokens or refill the petitions rate budget
    without sleeping (tests of clients' token refresh and back-off use it too).
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
