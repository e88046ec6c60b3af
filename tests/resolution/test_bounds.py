"""Bounds: a pair the bound rules out never scores above NON_MATCH; most block pairs are ruled out."""

from __future__ import annotations

import datetime as dt

import numpy as np

from hub.resolution.blocking import candidate_pairs
from hub.resolution.bounds import TraitTable, traits_of
from hub.resolution.candidates import Profile, profile
from hub.resolution.matching import Verdict, score_pair
from hub.simulator import GOLDEN_SEED, generate_county
from hub.simulator.catalog import serve_county
from tests.resolution.builders import id_number, mention
from tests.resolution.support import served_candidates


def _could_reach_review(profiles: list[Profile], pairs: list[tuple[int, int]]) -> list[bool]:
    table = TraitTable()
    for mentioned in profiles:
        table.add(traits_of(mentioned))
    left = np.array([a for a, _ in pairs], dtype=np.int32)
    right = np.array([b for _, b in pairs], dtype=np.int32)
    return table.could_reach_review(left, right).tolist()


def test_no_pair_a_hostile_county_scores_above_non_match_is_ruled_out() -> None:
    served = serve_county(generate_county(seed=GOLDEN_SEED, scale=2000), noise="hostile")
    profiles = [profile(candidate) for candidate, _ in served_candidates(served)]
    pairs = list(candidate_pairs(profiles).pairs)

    kept = _could_reach_review(profiles, pairs)
    verdicts = [score_pair(profiles[a], profiles[b]).verdict for a, b in pairs]

    mattering = [
        keep for keep, verdict in zip(kept, verdicts, strict=True) if verdict is not Verdict.NON_MATCH
    ]
    not_mattering = [
        keep for keep, verdict in zip(kept, verdicts, strict=True) if verdict is Verdict.NON_MATCH
    ]
    assert len(mattering) > 100 and all(mattering)
    # Not vacuous: most pairs that score NON_MATCH are ruled out (an address is only bounded).
    assert len(not_mattering) > 100 and sum(not_mattering) < len(not_mattering) / 10


def _pair(left: object, right: object) -> bool:
    profiles = [profile(left), profile(right)]  # type: ignore[arg-type]
    return _could_reach_review(profiles, [(0, 1)])[0]


def test_namesakes_born_the_same_day_in_other_villages_could_be_one_person() -> None:
    birth = dt.date(1980, 5, 1)
    assert _pair(
        mention("张伟", birth_date=birth, sex="1", division_code="330122001001"),
        mention("张伟", birth_date=birth, sex="1", division_code="330122002002"),
    )


def test_different_given_names_born_the_same_day_are_ruled_out() -> None:
    birth = dt.date(1980, 5, 1)
    left = mention("张伟", birth_date=birth, sex="1", household_no="H1")
    right = mention("张建国", birth_date=birth, sex="1", household_no="H2")
    assert score_pair(profile(left), profile(right)).verdict is Verdict.NON_MATCH
    assert not _pair(left, right)


def test_a_number_one_digit_off_a_valid_one_keeps_the_pair() -> None:
    birth = dt.date(1980, 5, 1)
    number = id_number(birth, 11)
    slipped = number[:10] + ("9" if number[10] != "9" else "8") + number[11:]
    left = mention("王芳", id_number_as_sent=number)
    right = mention("王芳", id_number_as_sent=slipped)
    far_off = mention("王芳", id_number_as_sent=slipped[:12] + "0000" + slipped[16:])
    assert score_pair(profile(left), profile(right)).verdict is not Verdict.NON_MATCH
    assert _pair(left, right)
    assert score_pair(profile(left), profile(far_off)).verdict is Verdict.NON_MATCH
    assert not _pair(left, far_off)


def test_two_valid_numbers_matter_only_when_the_names_sound_the_same() -> None:
    birth = dt.date(1980, 5, 1)
    same_sound = dict(birth_date=birth, sex="1", phone="13800000001", household_no="H1")
    assert _pair(
        mention("李娜", id_number_as_sent=id_number(birth, 11), **same_sound),
        mention("李纳", id_number_as_sent=id_number(birth, 13), **same_sound),
    )
    assert not _pair(
        mention("李娜", id_number_as_sent=id_number(birth, 11), **same_sound),
        mention("李强", id_number_as_sent=id_number(birth, 13), **same_sound),
    )
