from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric

from hub.simulator.identity import COUNTY_REGION, MIGRANT_BIRTHPLACES, IdAllocator, with_check_char


def test_check_char_makes_a_valid_number() -> None:
    assert ric.is_valid(with_check_char("33012219800101001"))


def test_migrant_birthplaces_pass_stdnum_for_every_birth_year() -> None:
    for region in MIGRANT_BIRTHPLACES:
        for year in (1925, 1950, 1975, 2000, 2026):
            assert ric.is_valid(with_check_char(f"{region}{year}0101001")), (region, year)


def test_allocator_moves_the_birthday_earlier_when_a_day_is_used_up() -> None:
    allocator = IdAllocator(village_ordinal=3, village_count=183)
    rng = random.Random(1)
    born = dt.date(1980, 5, 5)
    numbers = [allocator.allocate(region=COUNTY_REGION, birth_date=born, sex="2", rng=rng) for _ in range(10)]
    assert len({number for number, _ in numbers}) == 10
    assert all(ric.is_valid(number) and ric.get_birth_date(number) == day for number, day in numbers)
    assert {day for _, day in numbers} > {born} and max(day for _, day in numbers) == born
    assert all(int(number[16]) % 2 == 0 for number, _ in numbers)


def test_villages_draw_from_disjoint_sequences() -> None:
    born = dt.date(1990, 1, 1)
    drawn = [
        IdAllocator(village_ordinal=ordinal, village_count=4).allocate(
            region=COUNTY_REGION, birth_date=born, sex="1", rng=random.Random(0)
        )[0]
        for ordinal in range(4)
    ]
    assert len(set(drawn)) == 4
