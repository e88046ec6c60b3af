"""The golden county, generated once per session for the resolution tests."""

from __future__ import annotations

import pytest

from hub.simulator import GOLDEN_SCALE, GOLDEN_SEED, County, generate_county


@pytest.fixture(scope="session")
def golden_county() -> County:
    return generate_county(seed=GOLDEN_SEED, scale=GOLDEN_SCALE)
