"""Loading 十星级文明户 ratings and 道德银行 points onto the households the register knows."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import cast

import orjson
from sqlalchemy import Engine, func, select

from hub.db.engine import transaction
from hub.simulator.departments import civil_affairs, public_security
from hub.simulator.model import County
from hub.sources.canonical import Department, HouseholdRatingRecord, MoralPointRecord, SourceRef
from hub.sources.civil_affairs.mapping import map_moral_point, map_rating
from hub.sources.civil_affairs.records import HouseholdRatingRow, MoralPointRow
from hub.sources.public_security.mapping import map_household
from hub.sources.public_security.records import HouseholdPayload
from hub.warehouse.households.loading import (
    REGISTER_SOURCE,
    load_household_ratings,
    load_households,
    load_moral_points,
)
from hub.warehouse.households.models import Household, HouseholdRating, MoralPointEntry
from hub.warehouse.households.service import moral_points_of_households, ratings_of_households
from hub.warehouse.ingestion.service import RawVersion, land_raw
from hub.warehouse.provenance import LoadRun

RUN = LoadRun("test-run")
UNKNOWN_HOUSEHOLD = "330122999999000001"


def rated_households(county: County, count: int) -> list[str]:
    """Households with both a rating and moral-bank entries, in 户号 order."""
    with_points = {entry.hh_no for entry in county.moral_points}
    return sorted({r.hh_no for r in county.ratings} & with_points)[:count]


def publish_households(engine: Engine, county: County, hh_nos: list[str]) -> None:
    payloads = {
        record.key: cast(HouseholdPayload, record.item)
        for record in public_security.household_records(county)
    }
    with transaction(engine) as session:
        records = [map_household(payloads[hh_no]) for hh_no in hh_nos]
        load_households(session=session, records=records, run=RUN)


def land_household_only(engine: Engine, county: County, hh_no: str) -> None:
    """The register sent this household, but its load held it back (as quarantine does)."""
    item = next(r.item for r in public_security.household_records(county) if r.key == hh_no)
    payload = orjson.dumps(item, option=orjson.OPT_SORT_KEYS).decode()
    version = RawVersion(hh_no, hashlib.sha1(payload.encode()).hexdigest(), payload)
    system, stream = REGISTER_SOURCE
    with transaction(engine) as session:
        land_raw(session=session, source_system=system, stream=stream, versions=[version], run=RUN)


def ratings_of(county: County, hh_nos: list[str]) -> list[HouseholdRatingRecord]:
    rows = civil_affairs.rating_records(county)
    return [map_rating(cast(HouseholdRatingRow, r.item)) for r in rows if r.item["户号"] in hh_nos]


def points_of(county: County, hh_nos: list[str]) -> list[MoralPointRecord]:
    rows = civil_affairs.moral_point_records(county)
    return [map_moral_point(cast(MoralPointRow, r.item)) for r in rows if r.item["户号"] in hh_nos]


def test_ratings_of_an_unregistered_household_are_rejected_with_a_reason(
    engine: Engine, golden_county: County
) -> None:
    [hh_no] = rated_households(golden_county, 1)
    publish_households(engine, golden_county, [hh_no])
    known = ratings_of(golden_county, [hh_no])
    stray = dataclasses.replace(
        known[0],
        hh_no=UNKNOWN_HOUSEHOLD,
        source=SourceRef(Department.CIVIL_AFFAIRS, f"{UNKNOWN_HOUSEHOLD}/{known[0].year}"),
    )
    records = [*known, stray]

    with transaction(engine) as session:
        result = load_household_ratings(session=session, records=records, run=RUN)

    assert result.received == len(records)
    assert result.written_by_table == {"household_ratings": len(records) - 1}
    [rejection] = result.rejected
    assert rejection.rule == "household.registered" and UNKNOWN_HOUSEHOLD in rejection.reason
    assert rejection.source == stray.source


def test_a_household_held_in_quarantine_keeps_its_ratings_until_it_is_published(
    engine: Engine, golden_county: County
) -> None:
    published, held = rated_households(golden_county, 2)
    publish_households(engine, golden_county, [published])
    land_household_only(engine, golden_county, held)

    with transaction(engine) as session:
        ratings = load_household_ratings(
            session=session, records=ratings_of(golden_county, [published, held]), run=RUN
        )
        points = load_moral_points(
            session=session, records=points_of(golden_county, [published, held]), run=RUN
        )
    assert ratings.rejected == () and points.rejected == ()

    def shown(hh_no: str) -> tuple[int, int]:
        with transaction(engine) as session:
            household_id = session.scalar(select(Household.id).where(Household.hh_no == hh_no))
            if household_id is None:
                return 0, 0
            return (
                len(ratings_of_households(session=session, household_ids=[household_id])[household_id]),
                len(moral_points_of_households(session=session, household_ids=[household_id])[household_id]),
            )

    truth_held = (
        sum(r.hh_no == held for r in golden_county.ratings),
        sum(e.hh_no == held for e in golden_county.moral_points),
    )
    assert shown(held) == (0, 0)
    publish_households(engine, golden_county, [held])
    assert shown(held) == truth_held


def test_loading_the_same_ratings_and_points_again_writes_nothing(
    engine: Engine, golden_county: County
) -> None:
    hh_nos = rated_households(golden_county, 5)
    publish_households(engine, golden_county, hh_nos)
    for _ in range(2):
        with transaction(engine) as session:
            ratings = load_household_ratings(
                session=session, records=ratings_of(golden_county, hh_nos), run=RUN
            )
            points = load_moral_points(session=session, records=points_of(golden_county, hh_nos), run=RUN)

    assert ratings.written == 0 and points.written == 0
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(HouseholdRating)) == sum(
            r.hh_no in hh_nos for r in golden_county.ratings
        )
        assert session.scalar(select(func.count()).select_from(MoralPointEntry)) == sum(
            e.hh_no in hh_nos for e in golden_county.moral_points
        )


def test_services_read_ratings_latest_year_first_and_the_latest_entries_per_household(
    engine: Engine, golden_county: County
) -> None:
    hh_nos = rated_households(golden_county, 5)
    publish_households(engine, golden_county, hh_nos)
    with transaction(engine) as session:
        load_household_ratings(session=session, records=ratings_of(golden_county, hh_nos), run=RUN)
        load_moral_points(session=session, records=points_of(golden_county, hh_nos), run=RUN)
        ids = {hh_no: id_ for hh_no, id_ in session.execute(select(Household.hh_no, Household.id))}
        ratings = ratings_of_households(session=session, household_ids=list(ids.values()))
        latest_two = moral_points_of_households(session=session, household_ids=list(ids.values()), latest=2)

    for hh_no, household_id in ids.items():
        truth = sorted((r for r in golden_county.ratings if r.hh_no == hh_no), key=lambda r: -r.year)
        assert [(r.year, r.stars) for r in ratings[household_id]] == [(r.year, r.stars) for r in truth]
        entries = sorted(
            (e for e in golden_county.moral_points if e.hh_no == hh_no),
            key=lambda e: (e.recorded_on, e.entry_no),
            reverse=True,
        )[:2]
        assert [(e.entry_no, e.balance) for e in latest_two[household_id]] == [
            (e.entry_no, e.balance) for e in entries
        ]
