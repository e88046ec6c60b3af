"""GB 11643 citizen ID numbers for simulated people, unique without any county-wide state.

The 3-digit sequence is split between villages (as real numbers split it between police stations),
so each village can allocate numbers on its own and villages stay independent of each other.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric

COUNTY_REGION = "330122"  # 浙江省杭州市桐庐县

# Where migrants were born. Each code is accepted by stdnum's region table for every birth year from
# 1925 to 2026 (its table dates codes, and many current codes such as 330183 fail it); the test suite
# re-checks every generated number.
MIGRANT_BIRTHPLACES: tuple[str, ...] = (
    "330127",  # 浙江省淳安县
    "340121",  # 安徽省长丰县
    "340421",  # 安徽省凤台县
    "360121",  # 江西省南昌县
    "422822",  # 湖北省建始县
    "430121",  # 湖南省长沙县
    "510121",  # 四川省金堂县
    "520203",  # 贵州省六枝特区
    "530124",  # 云南省富民县
    "350121",  # 福建省闽侯县
    "610323",  # 陕西省岐山县
    "110101",  # 北京市东城区
)


def with_check_char(body17: str) -> str:
    """The full 18-character number for a 17-digit body."""
    # calc_check_digit wants all 18 characters and ignores the last one.
    return body17 + ric.calc_check_digit(body17 + "0")


class IdAllocator:
    """Hands out unique ID numbers from one village's share of the sequence space."""

    def __init__(self, *, village_ordinal: int, village_count: int) -> None:
        # Odd sequences are male, even female (GB 11643); 000 is never issued.
        self._sequences = {
            sex: [seq for seq in range(1, 1000) if seq % 2 == parity][village_ordinal::village_count]
            for sex, parity in (("1", 1), ("2", 0))
        }
        self._used: set[str] = set()

    def allocate(
        self, *, region: str, birth_date: dt.date, sex: str, rng: random.Random
    ) -> tuple[str, dt.date]:
        """A fresh number and the birth date it encodes.

        When the village's share for that day is used up, the birth date moves a day earlier (never
        into the simulated future): a day's difference in a simulated birthday is harmless, a
        duplicate ID number is not.
        """
        sequences = self._sequences[sex]
        day = birth_date
        while True:
            prefix = region + day.strftime("%Y%m%d")
            free = [seq for seq in sequences if f"{prefix}{seq:03d}" not in self._used]
            if free:
                body = f"{prefix}{rng.choice(free):03d}"
                self._used.add(body)
                return with_check_char(body), day
            day -= dt.timedelta(days=1)
