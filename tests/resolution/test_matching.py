"""Tier 3 scoring: which pairs are one person, which are for a reviewer, which are two people."""

from __future__ import annotations

import datetime as dt

from hub.resolution.candidates import profile
from hub.resolution.matching import Verdict, score_pair
from tests.resolution.builders import id_number, mention

BIRTH = dt.date(1975, 3, 8)
HOUSEHOLD = "330122001001000007"


def test_homophone_without_id_matches_when_birth_sex_and_household_agree() -> None:
    registered = mention("王伟", id_number_as_sent=id_number(BIRTH, 11), household_no=HOUSEHOLD)
    typo = mention("汪玮", birth_date=BIRTH, sex="1", household_no=HOUSEHOLD)
    assert score_pair(profile(registered), profile(typo)).verdict is Verdict.MATCH


def test_namesakes_with_different_birth_dates_do_not_match() -> None:
    one = mention("王伟", id_number_as_sent=id_number(BIRTH, 11))
    other = mention("王伟", birth_date=dt.date(1980, 1, 2), sex="1", division_code="330122001001")
    assert score_pair(profile(one), profile(other)).verdict is Verdict.NON_MATCH


def test_name_and_village_alone_are_for_a_reviewer() -> None:
    registered = mention("方小娟", id_number_as_sent=id_number(BIRTH, 12), division_code="330122001001")
    name_only = mention("方小娟", division_code="330122001001")
    scored = score_pair(profile(registered), profile(name_only))
    assert scored.verdict is Verdict.REVIEW
    assert {term.field for term in scored.evidence} == {"name", "division_code"}


def test_two_valid_ids_with_name_and_birth_only_go_to_review_never_match() -> None:
    first = mention("姚涛永", id_number_as_sent=id_number(BIRTH, 13), division_code="330122001002")
    second = mention("姚涛永", id_number_as_sent=id_number(BIRTH, 15), division_code="330122001002")
    scored = score_pair(profile(first), profile(second))
    assert scored.conflicting_ids
    assert scored.verdict is Verdict.REVIEW


def test_two_valid_ids_sharing_a_phone_are_one_person_under_two_ids() -> None:
    first = mention("陈文", id_number_as_sent=id_number(BIRTH, 13), phone="17790195420")
    second = mention("陈文", id_number_as_sent=id_number(BIRTH, 15), phone="17790195420")
    assert score_pair(profile(first), profile(second)).verdict is Verdict.SECOND_ID


def test_id_one_digit_off_a_valid_one_counts_for_the_pair() -> None:
    valid = id_number(BIRTH, 11)
    slipped = valid[:10] + ("1" if valid[10] != "1" else "2") + valid[11:]
    scored = score_pair(
        profile(mention("王伟", id_number_as_sent=valid)), profile(mention("王伟", id_number_as_sent=slipped))
    )
    assert ("id_number", "near") in {(term.field, term.outcome) for term in scored.evidence}
