"""Blocking: comparisons grow with rows, not rows squared; oversized blocks are skipped and reported."""

from __future__ import annotations

import datetime as dt

from hub.resolution.blocking import candidate_pairs
from hub.resolution.candidates import profile
from hub.simulator import GOLDEN_SEED, generate_county
from hub.simulator.catalog import serve_county
from tests.resolution.builders import mention
from tests.resolution.support import served_candidates


def _comparisons(scale: int) -> tuple[int, int]:
    served = serve_county(generate_county(seed=GOLDEN_SEED, scale=scale), noise="hostile")
    profiles = [profile(candidate) for candidate, _ in served_candidates(served)]
    return len(profiles), len(candidate_pairs(profiles).pairs)


def test_ten_times_the_rows_costs_about_ten_times_the_comparisons() -> None:
    small_rows, small = _comparisons(500)
    large_rows, large = _comparisons(5000)
    assert large_rows >= 9 * small_rows
    assert small > 0
    # All-pairs would grow 100×; allow noise around 10× per 10× rows.
    assert large / small <= 15 * large_rows / (10 * small_rows)


def test_a_block_bigger_than_the_cap_is_skipped_and_reported() -> None:
    birth = dt.date(1970, 1, 1)  # a placeholder birth date some systems write for unknown ones
    profiles = [profile(mention(f"王{i}", birth_date=birth, sex="1")) for i in range(12)]
    blocks = candidate_pairs(profiles, max_block_size=10)
    assert not blocks.pairs
    assert [(block.key, block.size) for block in blocks.skipped] == [("birth|1970-01-01|wang", 12)]
