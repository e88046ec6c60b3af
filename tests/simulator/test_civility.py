"""十星级文明户 ratings and 道德银行 points: plausible, deterministic, and drawn from streams of their own."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

import pytest

from hub.simulator import SIM_NOW, County, generate_county
from hub.simulator import county as county_module
from hub.simulator.civility import DEDUCTION, EARNING_REASONS, RATED_YEARS, REDEMPTION
from hub.simulator.model import MoralPointEntry


def test_same_seed_gives_the_same_ratings_and_points() -> None:
    first, second = generate_county(seed=7, scale=400), generate_county(seed=7, scale=400)
    assert first.ratings == second.ratings and first.moral_points == second.moral_points
    other = generate_county(seed=8, scale=400)
    assert first.ratings != other.ratings


def test_ratings_and_points_draw_from_streams_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    with_them = generate_county(seed=7, scale=400)
    monkeypatch.setattr(county_module, "village_ratings", lambda **_: [])
    monkeypatch.setattr(county_module, "village_moral_points", lambda **_: [])
    without_them = generate_county(seed=7, scale=400)

    assert without_them.ratings == () and without_them.moral_points == ()
    # Everything else is what it was before ratings and points existed.
    assert dataclasses.replace(with_them, ratings=(), moral_points=()) == without_them


def test_most_households_are_rated_once_a_year_with_zero_to_ten_stars(golden_county: County) -> None:
    ratings = golden_county.ratings
    per_year = Counter((rating.hh_no, rating.year) for rating in ratings)
    assert max(per_year.values()) == 1
    assert {rating.year for rating in ratings} == set(RATED_YEARS)
    assert all(0 <= rating.stars <= 10 for rating in ratings)
    stars = Counter(rating.stars for rating in ratings)
    assert stars[10] + stars[9] + stars[8] > len(ratings) / 2
    rated = {rating.hh_no for rating in ratings}
    assert 0.7 * len(golden_county.households) < len(rated) <= len(golden_county.households)


def test_each_household_is_rated_by_its_own_village_committee(golden_county: County) -> None:
    villages = golden_county.divisions_by_code
    for rating in golden_county.ratings:
        village = villages[golden_county.households_by_no[rating.hh_no].division_code]
        assert village.name in rating.assessed_by
        assert rating.assessed_by.endswith(("村民委员会", "居民委员会"))
        assert rating.assessed_on.year in (rating.year, rating.year + 1)
        assert rating.assessed_on <= rating.updated_on <= SIM_NOW.date()


def test_balances_follow_from_the_points_and_never_go_negative(golden_county: County) -> None:
    accounts: dict[str, list[MoralPointEntry]] = defaultdict(list)
    for entry in golden_county.moral_points:
        accounts[entry.hh_no].append(entry)
    assert 0.3 * len(golden_county.households) < len(accounts) < len(golden_county.households)
    for entries in accounts.values():
        balance = 0
        for entry in sorted(entries, key=lambda e: e.entry_no):
            balance += entry.points
            assert entry.balance == balance >= 0
            assert entry.entry_no.startswith(f"DY{entry.hh_no}")


def test_points_are_earned_for_good_deeds_and_spent_or_deducted(golden_county: County) -> None:
    reasons = Counter(entry.reason for entry in golden_county.moral_points)
    assert set(reasons) == {*EARNING_REASONS, REDEMPTION, DEDUCTION}
    for entry in golden_county.moral_points:
        if entry.reason in EARNING_REASONS:
            assert entry.points in EARNING_REASONS[entry.reason][1]
        else:
            assert entry.points < 0
        assert entry.recorded_on <= entry.updated_on <= SIM_NOW.date()
