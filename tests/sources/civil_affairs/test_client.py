"""The civil-affairs client against the real simulator: API key, GBK CSV, offset pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from hub.errors import SourceUnavailable
from hub.simulator import County
from hub.sources.civil_affairs.client import CivilAffairsClient
from hub.sources.civil_affairs.mapping import map_assistance, map_benefit, map_moral_point, map_rating
from tests.sources.conftest import FAST_RETRY, Simulator


def client(simulator: Simulator, *, page_size: int = 1000, api_key: str | None = None) -> CivilAffairsClient:
    return CivilAffairsClient(
        simulator.url("civil-affairs"),
        api_key or simulator.settings.civil_affairs_api_key,
        timeout=10,
        page_size=page_size,
        retry=FAST_RETRY,
    )


def test_every_benefit_row_is_fetched_once_decoded_from_gbk(
    simulator: Simulator, golden_county: County
) -> None:
    rows = list(client(simulator, page_size=37).iter_benefits())
    assert len(rows) == len(golden_county.benefits)
    names = Counter(row["姓名"] for row in rows)
    expected = Counter(golden_county.persons_by_key[b.person_key].name for b in golden_county.benefits)
    assert names == expected


def test_fetched_legacy_ids_are_upgraded_by_the_mapping(simulator: Simulator, golden_county: County) -> None:
    tags = [map_benefit(row) for row in client(simulator).iter_benefits()]
    assert any(tag.person.id_number_as_sent and len(tag.person.id_number_as_sent) == 15 for tag in tags)
    assert {tag.person.id_number for tag in tags} == {
        golden_county.persons_by_key[b.person_key].id_number for b in golden_county.benefits
    }


def test_every_assistance_application_is_fetched_once(simulator: Simulator, golden_county: County) -> None:
    cases = [map_assistance(row) for row in client(simulator, page_size=10).iter_assistance()]
    assert sorted(c.case_no for c in cases) == sorted(a.application_no for a in golden_county.assistance)


def test_changed_since_fetches_only_later_rows(simulator: Simulator, golden_county: County) -> None:
    day = dt.date(2026, 1, 1)
    rows = list(client(simulator).iter_assistance(changed_since=day))
    assert len(rows) == sum(1 for a in golden_county.assistance if a.updated_on >= day)


def test_wrong_api_key_makes_the_source_unavailable(simulator: Simulator) -> None:
    with pytest.raises(SourceUnavailable, match=r"civil_affairs.*benefits\.csv.*401"):
        next(client(simulator, api_key="wrong").iter_benefits())


def test_every_household_rating_is_fetched_once_decoded_from_gbk(
    simulator: Simulator, golden_county: County
) -> None:
    ratings = [map_rating(row) for row in client(simulator, page_size=101).iter_household_ratings()]
    assert sorted((r.hh_no, r.year, r.stars, r.assessed_by) for r in ratings) == sorted(
        (r.hh_no, r.year, r.stars, r.assessed_by) for r in golden_county.ratings
    )


def test_every_moral_point_entry_is_fetched_once(simulator: Simulator, golden_county: County) -> None:
    entries = [map_moral_point(row) for row in client(simulator, page_size=333).iter_moral_points()]
    assert [e.entry_no for e in entries] == sorted(e.entry_no for e in golden_county.moral_points)
    day = dt.date(2026, 6, 1)
    later = list(client(simulator).iter_moral_points(changed_since=day))
    assert len(later) == sum(1 for e in golden_county.moral_points if e.updated_on >= day) > 0
