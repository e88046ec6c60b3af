"""Names as sounds: surname readings, traditional characters, and how alike two names are."""

from __future__ import annotations

import pytest

from hub.resolution.names import NameAgreement, compare_names, spoken_name


@pytest.mark.parametrize(
    ("name", "surname"),
    [("曾国藩", ("zeng",)), ("单雄信", ("shan",)), ("解缙", ("xie",)), ("申屠明", ("shen", "tu"))],
)
def test_surnames_are_read_as_surnames_not_by_their_common_reading(
    name: str, surname: tuple[str, ...]
) -> None:
    assert spoken_name(name).surname_pinyin == surname


def test_two_character_name_starting_like_a_compound_surname_keeps_a_single_surname() -> None:
    assert spoken_name("东方").surname == "东"


def test_traditional_characters_and_stray_spaces_make_the_same_name() -> None:
    agreement, _ = compare_names(spoken_name("張 偉"), spoken_name("张伟"))
    assert agreement is NameAgreement.EXACT


def test_homophone_keyed_by_a_clerk_sounds_the_same() -> None:
    agreement, ratio = compare_names(spoken_name("王伟"), spoken_name("汪玮"))
    assert agreement is NameAgreement.HOMOPHONE
    assert ratio == 100.0


def test_two_character_names_one_syllable_apart_are_different_people() -> None:
    # fuzz.ratio on `wang wei` / `wang fei` is 87.5: syllables, not ratios, decide.
    agreement, _ = compare_names(spoken_name("王伟"), spoken_name("王飞"))
    assert agreement is NameAgreement.DIFFERENT


def test_three_character_names_one_syllable_apart_are_similar() -> None:
    agreement, _ = compare_names(spoken_name("王晓明"), spoken_name("王晓红"))
    assert agreement is NameAgreement.SIMILAR
