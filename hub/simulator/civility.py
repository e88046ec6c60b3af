"""德治 of one village: 十星级文明户 star ratings and 道德银行 moral-bank points of its households.

Villages assess every registered household once a year (评星, at the year's end) on ten items
(遵纪守法, 孝老爱亲, 环境卫生 …), one star each, and the village committee posts the result. The
moral bank books points for good deeds as they happen and lets households spend them at the
village's 爱心超市 (积分兑换); breaking the village rules (村规民约) costs points.
"""

from __future__ import annotations

import datetime as dt
import random

from hub.simulator.clock import random_date
from hub.simulator.divisions import VillagePlan
from hub.simulator.model import HISTORY_START, SIM_NOW, Household, HouseholdRating, MoralPointEntry, Person

_TODAY = SIM_NOW.date()

# Years assessed by the simulated present: the 2026 assessment happens after November.
RATED_YEARS = (2023, 2024, 2025)
# Stars a household holds in a typical year, with weights: most households earn eight or more.
_STAR_WEIGHTS = {10: 24, 9: 26, 8: 20, 7: 12, 6: 7, 5: 4, 4: 3, 3: 2, 2: 1, 1: 0.5, 0: 0.5}
# Migrant households (流动人口) are assessed and join the moral bank less often than registered ones.
_ASSESSED_RATE = {"registered": 0.95, "migrant": 0.4}
_MORAL_BANK_RATE = {"registered": 0.7, "migrant": 0.25}

# 积分事由 that earn points, with their weights and the point values a village's rules give them.
EARNING_REASONS: dict[str, tuple[int, tuple[int, ...]]] = {
    "志愿服务": (30, (5, 10)),
    "环境整治": (25, (5, 10)),
    "孝老爱亲": (15, (10, 20)),
    "邻里互助": (15, (5,)),
    "移风易俗": (10, (10, 20)),
    "见义勇为": (2, (30, 50)),
}
REDEMPTION = "积分兑换"
DEDUCTION = "违反村规民约"
_DEDUCTION_POINTS = 10


def village_ratings(
    *, rng: random.Random, village: VillagePlan, households: list[Household], persons: dict[str, Person]
) -> list[HouseholdRating]:
    """Each assessed year's stars of the village's households, assessed by its committee."""
    committee = committee_name(village)
    ratings: list[HouseholdRating] = []
    for household in households:
        residency = persons[household.head_key].residency
        base = rng.choices(list(_STAR_WEIGHTS), weights=list(_STAR_WEIGHTS.values()))[0]
        for year in RATED_YEARS:
            if rng.random() >= _ASSESSED_RATE[residency]:
                continue
            # A household's standing changes little from one year to the next.
            stars = min(10, max(0, base + rng.choice((-1, 0, 0, 1))))
            assessed_on = random_date(rng, dt.date(year, 12, 10), dt.date(year + 1, 1, 20))
            ratings.append(
                HouseholdRating(
                    hh_no=household.hh_no,
                    year=year,
                    stars=stars,
                    assessed_by=committee,
                    assessed_on=assessed_on,
                    updated_on=min(assessed_on + dt.timedelta(days=rng.randint(0, 20)), _TODAY),
                    date_style=rng.choice(("cjk", "slash")),
                )
            )
    return ratings


def committee_name(village: VillagePlan) -> str:
    """The committee that assesses a village's households: 村民委员会, or 居民委员会 in a community."""
    return village.township_name + village.name + ("居民委员会" if village.is_community else "村民委员会")


def village_moral_points(
    *, rng: random.Random, households: list[Household], persons: dict[str, Person]
) -> list[MoralPointEntry]:
    """Moral-bank entries of the village's member households since the history window opened."""
    entries: list[MoralPointEntry] = []
    for household in households:
        if rng.random() >= _MORAL_BANK_RATE[persons[household.head_key].residency]:
            continue
        days = sorted(random_date(rng, HISTORY_START.date(), _TODAY) for _ in range(rng.randint(1, 8)))
        balance = 0
        for number, day in enumerate(days, start=1):
            reason, points = _entry(rng, balance)
            balance += points
            entries.append(
                MoralPointEntry(
                    entry_no=f"DY{household.hh_no}{number:03d}",
                    hh_no=household.hh_no,
                    recorded_on=day,
                    reason=reason,
                    points=points,
                    balance=balance,
                    updated_on=min(day + dt.timedelta(days=rng.randint(0, 3)), _TODAY),
                    date_style=rng.choice(("cjk", "slash")),
                )
            )
    return entries


def _entry(rng: random.Random, balance: int) -> tuple[str, int]:
    """The next entry's reason and signed points; spending and deductions never overdraw."""
    draw = rng.random()
    if balance >= 20 and draw < 0.15:
        return REDEMPTION, -10 * rng.randint(2, balance // 10)
    if balance >= _DEDUCTION_POINTS and draw > 0.96:
        return DEDUCTION, -_DEDUCTION_POINTS
    reasons = list(EARNING_REASONS)
    reason = rng.choices(reasons, weights=[EARNING_REASONS[r][0] for r in reasons])[0]
    return reason, rng.choice(EARNING_REASONS[reason][1])
