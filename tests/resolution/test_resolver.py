"""Resolving mentions into persons: ID tiers, fuzzy merges, the review queue, undo, determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from hub.resolution import MatchRule, PersonCandidate, ReviewReason, resolve, split
from tests.resolution.builders import id_number, legacy_form, mention

BIRTH = dt.date(1962, 6, 6)
HOUSEHOLD = "330122001001000004"
VILLAGE = "330122001001"


def _together(resolution_clusters: object, *mention_ids: str) -> bool:
    clusters = [c.mention_ids for c in resolution_clusters]  # type: ignore[attr-defined]
    return any(set(mention_ids) <= set(members) for members in clusters)


def test_exact_valid_id_merges_in_tier_1_and_full_width_digits_do_not_matter() -> None:
    number = id_number(BIRTH, 22)
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    a = mention("方小娟", mention_id="a", id_number_as_sent=number)
    b = mention("方小娟", mention_id="b", id_number_as_sent=full_width, department="justice")
    result = resolve([a, b])
    assert [c.mention_ids for c in result.clusters] == [("a", "b")]
    assert [(m.rule, m.tier) for m in result.merges] == [(MatchRule.EXACT_ID, 1)]


def test_legacy_15_digit_number_merges_in_tier_2() -> None:
    number = id_number(BIRTH, 22)
    a = mention("方小娟", mention_id="a", id_number_as_sent=number)
    b = mention("方小娟", mention_id="b", id_number_as_sent=legacy_form(number), department="civil_affairs")
    result = resolve([a, b])
    assert [c.mention_ids for c in result.clusters] == [("a", "b")]
    assert [m.rule for m in result.merges] == [MatchRule.LEGACY_ID]
    assert result.clusters[0].canonical.id_number == number


def test_typo_without_id_merges_in_tier_3_recording_rule_score_and_evidence() -> None:
    a = mention("王伟", mention_id="a", id_number_as_sent=id_number(BIRTH, 11), household_no=HOUSEHOLD)
    b = mention(
        "汪玮", mention_id="b", birth_date=BIRTH, sex="1", household_no=HOUSEHOLD, department="civil_affairs"
    )
    result = resolve([a, b])
    (merge,) = result.merges
    assert merge.rule is MatchRule.FUZZY and merge.tier == 3
    assert merge.score >= 16
    assert {term.field for term in merge.evidence} >= {"name", "birth_date", "sex", "household_no"}
    assert result.clusters[0].canonical.name == "王伟"  # the register's spelling, not the typo


def test_namesakes_born_on_different_days_stay_two_persons() -> None:
    a = mention("王伟", mention_id="a", id_number_as_sent=id_number(BIRTH, 11), division_code=VILLAGE)
    b = mention("王伟", mention_id="b", birth_date=dt.date(1990, 1, 1), sex="1", division_code=VILLAGE)
    result = resolve([a, b])
    assert len(result.clusters) == 2
    assert not result.merges and not result.review


def test_grey_band_pair_goes_to_review_and_is_not_merged() -> None:
    a = mention("方小娟", mention_id="a", id_number_as_sent=id_number(BIRTH, 22), division_code=VILLAGE)
    b = mention("方小娟", mention_id="b", division_code=VILLAGE, department="civil_affairs")
    result = resolve([a, b])
    assert len(result.clusters) == 2
    (pair,) = result.review
    assert (pair.left, pair.right, pair.reason) == ("a", "b", ReviewReason.GREY_BAND)


def test_mention_without_id_matching_two_namesakes_equally_is_ambiguous() -> None:
    one = mention("王伟", mention_id="a", id_number_as_sent=id_number(BIRTH, 11))
    other = mention("王伟", mention_id="b", id_number_as_sent=id_number(BIRTH, 13))
    loose = mention("王伟", mention_id="c", birth_date=BIRTH, sex="1")
    result = resolve([one, other, loose])
    assert len(result.clusters) == 3
    assert {pair.reason for pair in result.review} >= {ReviewReason.AMBIGUOUS}


def test_one_person_under_two_ids_is_merged_only_when_household_or_phone_corroborates() -> None:
    first = mention("余忠飞", mention_id="a", id_number_as_sent=id_number(BIRTH, 13), household_no=HOUSEHOLD)
    second = mention("余忠飞", mention_id="b", id_number_as_sent=id_number(BIRTH, 15), household_no=HOUSEHOLD)
    merged = resolve([first, second])
    assert [m.rule for m in merged.merges] == [MatchRule.SECOND_ID]
    queued = resolve([first, second], merge_second_ids=False)
    assert len(queued.clusters) == 2
    assert [pair.reason for pair in queued.review] == [ReviewReason.DIFFERENT_IDS]


def test_split_undoes_one_merge_and_the_forbidden_pair_keeps_it_undone() -> None:
    a = mention("王伟", mention_id="a", id_number_as_sent=id_number(BIRTH, 11), household_no=HOUSEHOLD)
    b = mention("汪玮", mention_id="b", birth_date=BIRTH, sex="1", household_no=HOUSEHOLD)
    c = mention("王伟", mention_id="c", id_number_as_sent=id_number(BIRTH, 11))
    result = resolve([a, b, c])
    assert [c.mention_ids for c in result.clusters] == [("a", "b", "c")]
    fuzzy = next(m for m in result.merges if m.rule is MatchRule.FUZZY)
    undone = split(result, fuzzy)
    assert sorted(c.mention_ids for c in undone.clusters) == [("a", "c"), ("b",)]
    assert fuzzy.pair in undone.forbidden
    rerun = resolve([a, b, c], forbidden=undone.forbidden)
    assert sorted(c.mention_ids for c in rerun.clusters) == [("a", "c"), ("b",)]
    assert not rerun.review  # a forbidden pair is not queued again


def test_reviewer_confirmed_pair_is_merged_with_rule_reviewed() -> None:
    a = mention("方小娟", mention_id="a", id_number_as_sent=id_number(BIRTH, 22), division_code=VILLAGE)
    b = mention("方小娟", mention_id="b", division_code=VILLAGE)
    result = resolve([a, b], confirmed=[("b", "a")])
    assert [c.mention_ids for c in result.clusters] == [("a", "b")]
    assert [m.rule for m in result.merges] == [MatchRule.REVIEWED]


def test_new_mentions_resolve_onto_existing_warehouse_persons() -> None:
    number = id_number(BIRTH, 22)
    existing = mention("方小娟", mention_id="person:7", id_number_as_sent=number, person_id=7)
    new = mention(
        "方小娟", mention_id="new", id_number_as_sent=legacy_form(number), department="civil_affairs"
    )
    (cluster,) = resolve([existing, new]).clusters
    assert cluster.canonical.person_id == 7
    assert cluster.canonical.identity_key == "person:7"


def test_two_warehouse_persons_are_never_merged_automatically() -> None:
    number = id_number(BIRTH, 22)
    one = mention("方小娟", mention_id="p1", id_number_as_sent=number, person_id=1)
    two = mention("方小娟", mention_id="p2", id_number_as_sent=number, person_id=2)
    result = resolve([one, two])
    assert len(result.clusters) == 2
    assert [pair.reason for pair in result.review] == [ReviewReason.CONFLICT]


def test_output_does_not_depend_on_input_order() -> None:
    mentions: list[PersonCandidate] = []
    for index in range(40):
        birth = BIRTH + dt.timedelta(days=index % 7)
        number = id_number(birth, 11 + 2 * (index % 3))
        mentions.append(
            mention(
                "王伟" if index % 2 else "汪玮",
                id_number_as_sent=number if index % 5 else None,
                birth_date=birth,
                sex="1",
                household_no=f"hh{index % 4}",
            )
        )
    first = resolve(mentions)
    shuffled = mentions[:]
    random.Random(7).shuffle(shuffled)
    second = resolve(shuffled)
    assert first.clusters == second.clusters
    assert first.merges == second.merges
    assert first.review == second.review


def test_duplicate_mention_ids_are_refused() -> None:
    a = mention("王伟", mention_id="same")
    try:
        resolve([a, dataclasses.replace(a)])
    except ValueError:
        return
    raise AssertionError("duplicate mention ids were accepted")


def test_mentions_linked_by_several_deterministic_edges_stay_one_cluster() -> None:
    # Three mentions of one warehouse person give three same-person edges; the third joins nothing.
    mentions = [
        PersonCandidate(mention_id=f"m{i}", department="public_security", name_as_sent="张三", person_id=7)
        for i in range(3)
    ]

    resolution = resolve(mentions)

    assert [cluster.mention_ids for cluster in resolution.clusters] == [("m0", "m1", "m2")]
