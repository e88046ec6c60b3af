"""Partitioning: resolving independent parts one by one gives exactly what resolving all at once gives."""

from __future__ import annotations

import datetime as dt

from hub.resolution import PersonCandidate, Resolution, resolve
from hub.resolution.blocking import key_hash
from hub.resolution.candidates import profile
from hub.resolution.partitions import Linker, Partitioning, links_of
from hub.simulator import GOLDEN_SEED, generate_county
from hub.simulator.catalog import serve_county
from tests.resolution.builders import id_number, mention
from tests.resolution.support import served_candidates


def _partitioned(
    candidates: list[PersonCandidate],
    *,
    part_size: int,
    max_block_size: int = 100,
    reviewed: tuple[tuple[str, str], ...] = (),
) -> Partitioning:
    linker = Linker(max_block_size=max_block_size)
    position = {}
    for candidate in candidates:
        position[candidate.mention_id] = linker.add(links_of(profile(candidate)))
    for left, right in reviewed:
        linker.link(position[left], position[right])
    return linker.partition(part_size=part_size)


def _outcome(resolutions: list[Resolution]) -> tuple[object, ...]:
    return (
        sorted(cluster.mention_ids for r in resolutions for cluster in r.clusters),
        sorted((m.left, m.right, m.rule, m.score) for r in resolutions for m in r.merges),
        sorted((p.left, p.right, p.reason, p.score) for r in resolutions for p in r.review),
        sorted({(b.key, b.size) for r in resolutions for b in r.skipped_blocks}),
    )


def test_a_noisy_county_resolved_in_small_parts_resolves_as_a_whole() -> None:
    served = serve_county(generate_county(seed=GOLDEN_SEED, scale=2000), noise="hostile")
    candidates = [candidate for candidate, _ in served_candidates(served)]
    reviewed = ((candidates[0].mention_id, candidates[1].mention_id),)
    # A small cap makes some blocks oversized, so that skipping them must hold in every part.
    whole = resolve(candidates, forbidden=reviewed, max_block_size=6)

    partitioning = _partitioned(candidates, part_size=50, max_block_size=6, reviewed=reviewed)
    parts = [
        resolve(
            [candidates[i] for i in part],
            forbidden=reviewed,
            max_block_size=6,
            oversized=partitioning.oversized,
        )
        for part in partitioning.parts
    ]

    assert len(parts) > 20 and partitioning.oversized
    assert sorted(i for part in partitioning.parts for i in part) == list(range(len(candidates)))
    assert whole.merges and whole.review and whole.skipped_blocks
    assert _outcome(parts) == _outcome([whole])
    # Pairs of a block split between parts are not scored: they could not have reached REVIEW.
    assert sum(part.comparisons for part in parts) < whole.comparisons


def test_mentions_sharing_a_block_an_id_or_a_reviewers_pair_are_in_one_part() -> None:
    birth = dt.date(1980, 5, 1)
    number = id_number(birth, 11)
    twin_a = mention("张伟", birth_date=birth, sex="1")  # block birth|1980-05-01|zhang
    twin_b = mention("张卫", birth_date=birth, sex="1")
    by_id_a = mention("李娜", id_number_as_sent=number)
    by_id_b = mention("李 娜", id_number_as_sent=number, department="justice")
    reviewed_a = mention("王芳", phone="13800000001")
    reviewed_b = mention("赵敏", phone="13900000002")
    alone = mention("孙丽", birth_date=dt.date(1990, 1, 1))

    partitioning = _partitioned(
        [twin_a, twin_b, by_id_a, by_id_b, reviewed_a, reviewed_b, alone],
        part_size=1,
        reviewed=((reviewed_a.mention_id, reviewed_b.mention_id),),
    )

    assert [tuple(part) for part in partitioning.parts] == [(0, 1), (2, 3), (4, 5), (6,)]


def test_an_oversized_block_links_nobody_and_is_reported_with_its_size() -> None:
    birth = dt.date(1970, 1, 1)  # a placeholder birth date: a block no one is identified by
    placeholder = [mention(f"王{i}", birth_date=birth, sex="1") for i in range(5)]

    partitioning = _partitioned(placeholder, part_size=1, max_block_size=4)

    assert [tuple(part) for part in partitioning.parts] == [(i,) for i in range(5)]
    assert partitioning.oversized == {key_hash("birth|1970-01-01|wang"): 5}
    skipped = resolve(placeholder[:2], max_block_size=4, oversized=partitioning.oversized).skipped_blocks
    assert [(block.key, block.size) for block in skipped] == [("birth|1970-01-01|wang", 5)]


def test_parts_pack_whole_components_up_to_the_part_size() -> None:
    households = [
        [mention(f"刘{i}{j}", household_no=f"H{i}") for j in range(3)] for i in range(4)
    ]  # four households of three: four components

    partitioning = _partitioned([m for household in households for m in household], part_size=7)

    assert [tuple(part) for part in partitioning.parts] == [(0, 1, 2, 3, 4, 5), (6, 7, 8, 9, 10, 11)]
