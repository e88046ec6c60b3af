"""The justice client against the real simulator: Basic auth, page numbers with totals."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from hub.errors import SourceUnavailable
from hub.simulator import County
from hub.sources.justice.client import JusticeClient
from hub.sources.justice.mapping import map_correction_subject, map_mediation_case
from tests.sources.conftest import FAST_RETRY, Simulator


def client(simulator: Simulator, *, page_size: int = 200, password: str | None = None) -> JusticeClient:
    return JusticeClient(
        simulator.url("justice"),
        simulator.settings.justice_username,
        password or simulator.settings.justice_password,
        timeout=10,
        page_size=page_size,
        retry=FAST_RETRY,
    )


def test_every_mediation_case_is_fetched_exactly_once(simulator: Simulator, golden_county: County) -> None:
    fetched = [map_mediation_case(p).case_no for p in client(simulator, page_size=7).iter_mediation_cases()]
    assert Counter(fetched) == Counter(case.case_no for case in golden_county.mediations)


def test_every_correction_subject_is_fetched_and_maps(simulator: Simulator, golden_county: County) -> None:
    tags = [map_correction_subject(p) for p in client(simulator).iter_correction_subjects()]
    assert len(tags) == len(golden_county.corrections)


def test_updated_since_is_sent_as_epoch_milliseconds(simulator: Simulator, golden_county: County) -> None:
    since = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    fetched = list(client(simulator).iter_mediation_cases(updated_since=since))
    assert len(fetched) == sum(1 for case in golden_county.mediations if case.updated_at >= since)


def test_wrong_password_makes_the_source_unavailable(simulator: Simulator) -> None:
    with pytest.raises(SourceUnavailable, match=r"justice.*mediationCases.*401"):
        next(client(simulator, password="wrong").iter_mediation_cases())
