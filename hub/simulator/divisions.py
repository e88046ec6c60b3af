"""The division tree of 桐庐县 and the grids and micro-grids laid over each village."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from hub.simulator import names
from hub.simulator.clock import random_moment
from hub.simulator.model import CST, HISTORY_START, SIM_NOW, Division, Grid

PROVINCE = ("330000000000", "浙江省")
CITY = ("330100000000", "杭州市")
COUNTY = ("330122000000", "桐庐县")

# Real townships of the county with 统计用区划代码 township parts (001–099 街道, 100–199 镇,
# 200–399 乡), listed so that any prefix mixes the three kinds.
_TOWNSHIPS: tuple[tuple[str, str], ...] = (
    ("001", "桐君街道"),
    ("102", "横村镇"),
    ("201", "莪山畲族乡"),
    ("103", "分水镇"),
    ("002", "旧县街道"),
    ("202", "钟山乡"),
    ("101", "富春江镇"),
    ("003", "城南街道"),
    ("104", "瑶琳镇"),
    ("203", "新合乡"),
    ("105", "百江镇"),
    ("004", "凤川街道"),
    ("106", "江南镇"),
    ("204", "合村乡"),
)

# Big enough for 1,000,000 persons at the real county's 183 villages and communities.
_MAX_VILLAGES = 183
_PERSONS_PER_VILLAGE = 250
_HOUSEHOLDS_PER_GRID = 400
_HOUSEHOLDS_PER_MICRO_GRID = 20
_MASTER_DATA_DATE = dt.datetime(2024, 1, 1, tzinfo=CST)


@dataclass(frozen=True, slots=True)
class VillagePlan:
    """One village or community to populate: where it sits and how many people live there."""

    code: str
    name: str
    township_name: str
    is_community: bool  # 居委会 (urban community) rather than 村委会
    ordinal: int
    person_target: int


def plan_divisions(*, rng: random.Random, scale: int) -> tuple[list[Division], list[VillagePlan]]:
    """Province → city → county → townships → villages, and each village's share of `scale` persons."""
    village_count = min(_MAX_VILLAGES, max(4, round(scale / _PERSONS_PER_VILLAGE)))
    township_count = min(len(_TOWNSHIPS), max(3, village_count // 3 + 1))
    townships = sorted(_TOWNSHIPS[:township_count])
    divisions = [
        Division(PROVINCE[0], PROVINCE[1], "province", None, _MASTER_DATA_DATE),
        Division(CITY[0], CITY[1], "city", PROVINCE[0], _MASTER_DATA_DATE),
        Division(COUNTY[0], COUNTY[1], "county", CITY[0], _MASTER_DATA_DATE),
    ]
    per_township = _split_evenly(village_count, township_count)
    stems = names.village_names(rng, village_count)
    targets = _split_weighted(scale, [rng.uniform(0.6, 1.4) for _ in range(village_count)])
    plans: list[VillagePlan] = []
    for (part, township_name), count in zip(townships, per_township, strict=True):
        township_code = COUNTY[0][:6] + part + "000"
        divisions.append(Division(township_code, township_name, "township", COUNTY[0], _MASTER_DATA_DATE))
        community_count = _community_count(part, count)
        for index in range(count):
            is_community = index < community_count
            number = index + 1 if is_community else 200 + index - community_count + 1
            ordinal = len(plans)
            name = stems[ordinal] + ("社区" if is_community else "村")
            code = township_code[:9] + f"{number:03d}"
            updated = random_moment(rng, HISTORY_START, SIM_NOW).replace(hour=0, minute=0, second=0)
            divisions.append(Division(code, name, "village", township_code, updated))
            plans.append(VillagePlan(code, name, township_name, is_community, ordinal, targets[ordinal]))
    return divisions, plans


def _community_count(township_part: str, villages: int) -> int:
    # Sub-districts are mostly urban communities; towns have one community at their centre.
    if township_part < "100":
        return max(1, (villages * 2 + 2) // 3)
    if township_part < "200":
        return min(1, villages - 1)
    return 0


def plan_grids(
    *, rng: random.Random, village: VillagePlan, household_count: int
) -> tuple[list[Grid], list[str]]:
    """Grids and micro-grids of one village, and the micro-grid code of each household in order.

    Households are in address order, so neighbours share a micro-grid (十户联防).
    """
    grids: list[Grid] = []
    micro_of_household: list[str] = []
    grid_sizes = _split_evenly(household_count, max(1, round(household_count / _HOUSEHOLDS_PER_GRID)))
    for grid_index, grid_size in enumerate(grid_sizes, start=1):
        grid_code = f"{village.code}{grid_index:03d}"
        grid_name = f"{village.name}第{grid_index}网格"
        created = random_moment(rng, HISTORY_START, SIM_NOW).replace(hour=0, minute=0, second=0)
        grids.append(Grid(grid_code, grid_name, "grid", village.code, None, created))
        micro_sizes = _split_evenly(grid_size, max(1, round(grid_size / _HOUSEHOLDS_PER_MICRO_GRID)))
        for micro_index, micro_size in enumerate(micro_sizes, start=1):
            micro_code = f"{grid_code}{micro_index:02d}"
            micro_name = f"{grid_name}第{micro_index}微网格"
            grids.append(Grid(micro_code, micro_name, "micro", village.code, grid_code, created))
            micro_of_household.extend([micro_code] * micro_size)
    return grids, micro_of_household


def _split_evenly(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def _split_weighted(total: int, weights: list[float]) -> list[int]:
    """Integer shares of `total` proportional to `weights`, summing exactly (largest remainder)."""
    exact = [total * weight / sum(weights) for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda index: shares[index] - exact[index])
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares
