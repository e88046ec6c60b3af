"""Identity normalisation: the same person written differently comes out as one ID and one name."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from hub.resolution.identity import IdRejection, normalise_id_number, normalise_name, upgrade_legacy_id

VALID = "11010519491231002X"


def test_valid_18_digit_number_is_kept() -> None:
    result = normalise_id_number(VALID)
    assert result.number == VALID
    assert result.is_valid
    assert not result.upgraded


def test_lower_case_x_full_width_digits_and_spaces_are_folded() -> None:
    full_width = "１１０１０５ １９４９１２３１ ００２ｘ"
    assert normalise_id_number(full_width).number == VALID
    assert normalise_id_number("110105-19491231-002x").number == VALID


def test_legacy_15_digit_number_is_upgraded_with_century_and_check_char() -> None:
    eighteen = "110105194912310021"[:17]
    full = eighteen + ric.calc_check_digit(eighteen + "0")
    legacy = full[:6] + full[8:17]
    result = normalise_id_number(legacy)
    assert result.number == full
    assert result.upgraded
    assert ric.is_valid(result.number)


def test_upgrade_uses_the_full_18_character_form_for_the_check_char() -> None:
    # calc_check_digit ignores the last character; given only 17 it would compute a wrong one.
    upgraded = upgrade_legacy_id("110105491231002")
    assert upgraded == VALID


@pytest.mark.parametrize(
    ("raw", "rejection"),
    [
        (None, IdRejection.MISSING),
        ("   ", IdRejection.MISSING),
        ("12345", IdRejection.BAD_LENGTH),
        ("110105194912310021", IdRejection.BAD_CHECKSUM),
        ("110105194913310020"[:17] + ric.calc_check_digit("110105194913310020"), IdRejection.BAD_COMPONENT),
        ("1101051949123100AX", IdRejection.BAD_FORMAT),
        ("11010549123100A", IdRejection.BAD_FORMAT),
    ],
)
def test_unusable_numbers_come_back_with_a_reason(raw: str | None, rejection: IdRejection) -> None:
    result = normalise_id_number(raw)
    assert result.number is None
    assert result.rejection is rejection
    assert result.as_sent == raw


def test_traditional_name_is_simplified_and_trimmed() -> None:
    assert normalise_name(" 張偉 ") == "张伟"
    assert normalise_name("陳　麗華") == "陈丽华"  # full-width space between characters


def test_transliterated_name_keeps_its_separator_and_single_spaces() -> None:
    assert normalise_name("阿依古丽·买买提") == "阿依古丽·买买提"
    assert normalise_name("John   Smith") == "John Smith"
