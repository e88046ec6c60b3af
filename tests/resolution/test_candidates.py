"""Profiles: each mention normalised once; birth date and sex read from a valid ID when not stated."""

from __future__ import annotations

import datetime as dt

from hub.resolution.candidates import FEMALE, MALE, PersonCandidate, normalise_phone, profile

VALID = "11010519491231002X"  # born 1949-12-31, sequence 002: female
LEGACY = "110105491231002"


def _candidate(**fields: object) -> PersonCandidate:
    return PersonCandidate(mention_id="m", department="justice", name_as_sent="张伟", **fields)  # type: ignore[arg-type]


def test_full_width_and_legacy_numbers_become_the_same_valid_number() -> None:
    assert profile(_candidate(id_number_as_sent="１１０１０５１９４９１２３１００２ｘ")).id_number == VALID
    legacy = profile(_candidate(id_number_as_sent=LEGACY))
    assert legacy.id_number == VALID
    assert legacy.id.upgraded


def test_birth_date_and_sex_come_from_the_id_when_the_mention_does_not_state_them() -> None:
    result = profile(_candidate(id_number_as_sent=VALID))
    assert result.birth_date == dt.date(1949, 12, 31)
    assert result.sex == FEMALE


def test_stated_sex_wins_and_unknown_codes_count_as_not_stated() -> None:
    assert profile(_candidate(id_number_as_sent=VALID, sex=MALE)).sex == MALE
    assert profile(_candidate(sex="9x")).sex is None


def test_phone_loses_country_prefix_and_separators() -> None:
    assert normalise_phone("+86 138-1234-5678") == "13812345678"
    assert normalise_phone("１３８１２３４５６７８") == "13812345678"
    assert normalise_phone("123") is None
