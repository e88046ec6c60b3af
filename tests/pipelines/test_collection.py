"""An asset's bulk work runs with the garbage collector tuned, and leaves it as it found it."""

from __future__ import annotations

import gc

from pipelines.collection import YOUNG_THRESHOLD, batch_collection


def test_the_collector_runs_rarely_inside_the_outermost_block_and_is_restored_after() -> None:
    before = gc.get_threshold()
    gc.collect()

    with batch_collection():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_freeze_count() > 0  # what existed before the work is left out of collection
        with batch_collection():
            pass
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD  # an inner block keeps the tuning

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failing_block_restores_the_collector_too() -> None:
    before = gc.get_threshold()
    try:
        with batch_collection():
            raise RuntimeError("the asset failed")
    except RuntimeError:
        pass

    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
