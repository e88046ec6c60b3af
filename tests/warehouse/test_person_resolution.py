"""Fuzzy resolution in the warehouse: persons the loads kept apart are merged, once, and stay merged."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from hub.db.engine import make_engine, session_factory, transaction
from hub.quality.resolution import resolution_scores
from hub.simulator.catalog import serve_county
from hub.simulator.model import County
from hub.simulator.profiles import fault_profile
from hub.simulator.truth import write_truth
from hub.warehouse.persons.merges import decide_review, list_reviews
from hub.warehouse.persons.models import (
    Person,
    PersonBlockKey,
    PersonMatch,
    PersonSource,
    UnresolvedMention,
)
from hub.warehouse.persons.resolution import mark_unresolved, mention_id, resolve_warehouse_persons
from hub.warehouse.provenance import LoadRun
from tests.support.databases import copy_of
from tests.support.snapshot import warehouse_rows
from tests.support.warehouse import ingest_noisy


def test_mentions_without_id_are_merged_into_the_person_they_are(noisy_database_url: str) -> None:
    engine = make_engine(noisy_database_url)
    with session_factory(engine)() as session:
        merged = session.scalars(select(Person).where(Person.merged_into_id.is_not(None))).all()
        matches = session.scalar(select(func.count()).select_from(PersonMatch))
        survivors = {
            p.id: p
            for p in session.scalars(select(Person).where(Person.id.in_([m.merged_into_id for m in merged])))
        }
    engine.dispose()

    assert merged, "realistic noise drops some ID numbers; resolution merges those mentions"
    assert matches and matches >= len(merged)
    for person in merged:
        survivor = survivors[person.merged_into_id]  # type: ignore[index]
        assert survivor.merged_into_id is None
        assert person.birth_date in (None, survivor.birth_date)


def test_second_noisy_run_changes_no_row(
    golden_county: County, noisy_database_url: str, tmp_path: Path
) -> None:
    before = warehouse_rows(noisy_database_url)

    result = ingest_noisy(golden_county, noisy_database_url, tmp_path / "second")

    assert result.success
    assert result.metadata["person_resolution"]["persons_merged"] == 0
    assert warehouse_rows(noisy_database_url) == before


def test_resolution_precision_recall_and_f1_against_the_truth(
    noisy_database_url: str, golden_county: County, tmp_path: Path
) -> None:
    truth = tmp_path / "truth"
    write_truth(serve_county(golden_county, noise="realistic"), out=truth, faults=fault_profile("none"))
    engine = make_engine(noisy_database_url)
    with session_factory(engine)() as session:
        scores = resolution_scores(session=session, truth_dir=truth)
    engine.dispose()
    print(
        f"resolution on {scores.traced} of {scores.mentions} mentions: precision {scores.precision:.4f} "
        f"recall {scores.recall:.4f} F1 {scores.f1:.4f}"
    )

    assert scores.traced >= 0.95 * scores.mentions, "almost every mention is traced to a true person"
    assert scores.precision >= 0.99 and scores.recall >= 0.99 and scores.f1 >= 0.99


def test_a_pass_weighs_only_what_changed_and_its_neighbourhood(noisy_database_url: str) -> None:
    engine = make_engine(noisy_database_url)
    before = warehouse_rows(noisy_database_url)
    with transaction(engine) as session:
        idle = resolve_warehouse_persons(session=session, run=LoadRun("idle"))
        total = session.scalar(select(func.count()).select_from(PersonSource))
        # Register entries of persons that other mentions were merged into: each shares a household
        # block with the rest of its household, and its person has mentions from other departments.
        merged_into = select(Person.merged_into_id).where(Person.merged_into_id.is_not(None))
        sources = session.scalars(
            select(PersonSource)
            .where(PersonSource.person_id.in_(merged_into), PersonSource.household_no.is_not(None))
            .order_by(PersonSource.id)
            .limit(5)
        ).all()
        mark_unresolved(session=session, mentions=[mention_id(source) for source in sources])
    with transaction(engine) as session:
        again = resolve_warehouse_persons(session=session, run=LoadRun("again"))
        left = session.scalar(select(func.count()).select_from(UnresolvedMention))
    engine.dispose()

    assert idle.mentions == 0 and idle.persons_merged == 0  # nothing changed: nothing weighed
    assert not again.full and again.changed == len(sources) == 5
    # Each changed mention with its blocks and the other mentions of its person; not the county.
    assert 2 * len(sources) < again.mentions < (total or 0) // 10
    assert again.persons_merged == 0 and left == 0
    assert warehouse_rows(noisy_database_url) == before


def test_a_full_pass_in_processes_keeps_the_keys_and_merges_what_one_process_merges(
    noisy_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(noisy_database_url)
    with transaction(engine) as session:
        pending = list_reviews(session=session, first=500)
        for review in pending:  # a reviewer accepts every queued pair: the next pass merges them
            decide_review(session=session, review_id=review.id, accept=True, reviewer="test")
    engine.dispose()
    outcomes = []
    with copy_of(noisy_database_url, tmp_path) as copy_url:
        for url, processes in ((noisy_database_url, 1), (copy_url, 2)):
            engine = make_engine(url)
            with transaction(engine) as session:
                report = resolve_warehouse_persons(
                    session=session, run=LoadRun("pass"), full=True, part_size=200, processes=processes
                )
            with session_factory(engine)() as session:
                merged = session.execute(
                    select(Person.id, Person.merged_into_id).where(Person.merged_into_id.is_not(None))
                ).all()
                matches = session.execute(
                    select(PersonMatch.left_mention, PersonMatch.right_mention, PersonMatch.rule)
                ).all()
                keys = session.execute(select(PersonBlockKey.key_hash, PersonBlockKey.person_source_id)).all()
            engine.dispose()
            outcomes.append((report, sorted(merged), sorted(matches), sorted(keys)))
    (alone, merged_alone, matches_alone, keys_alone), (apart, merged_apart, matches_apart, keys_apart) = (
        outcomes
    )

    assert pending and alone.parts > 5 and alone.persons_merged > 0
    assert apart == alone
    assert merged_apart == merged_alone and matches_apart == matches_alone
    # The mentions' links were worked out in the pool too, a chunk at a time.
    assert keys_apart == keys_alone and len(keys_alone) > alone.mentions


def test_a_full_pass_in_small_parts_weighs_what_one_part_weighs(noisy_database_url: str) -> None:
    engine = make_engine(noisy_database_url)
    before = warehouse_rows(noisy_database_url)
    block_keys = select(PersonBlockKey.key_hash, PersonBlockKey.person_source_id).order_by(
        PersonBlockKey.key_hash, PersonBlockKey.person_source_id
    )
    with transaction(engine) as session:
        whole = resolve_warehouse_persons(session=session, run=LoadRun("whole"), full=True)
        keys_of_whole = session.execute(block_keys).all()
    with transaction(engine) as session:
        parted = resolve_warehouse_persons(session=session, run=LoadRun("parts"), full=True, part_size=200)
        keys_of_parts = session.execute(block_keys).all()
        total = session.scalar(select(func.count()).select_from(PersonSource))
    engine.dispose()

    assert whole.parts == 1 and parted.parts > 5
    assert parted.mentions == whole.mentions == total
    # Pairs of a block split between parts are not scored: they could not have mattered.
    assert 0 < parted.comparisons <= whole.comparisons
    assert parted.skipped_blocks == whole.skipped_blocks
    assert parted.persons_merged == whole.persons_merged == 0  # the loads' run resolved them already
    assert keys_of_parts == keys_of_whole and len(keys_of_whole) > (total or 0)
    assert warehouse_rows(noisy_database_url) == before
