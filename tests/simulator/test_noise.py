"""Noise profiles: every kind at its rate, valid IDs stay valid, the same seed gives the same noise."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import pytest
from stdnum.cn import ric

from hub.simulator import County
from hub.simulator.catalog import STREAMS, ServedCounty, serve_county
from hub.simulator.noise import DUPLICATE_SUFFIX, _containers
from hub.simulator.profiles import NOISE_KINDS, NOISE_PROFILES, SECOND_ID


@pytest.fixture(scope="module")
def hostile(golden_county: County) -> ServedCounty:
    return serve_county(golden_county, noise="hostile")


@pytest.fixture(scope="module")
def realistic(golden_county: County) -> ServedCounty:
    return serve_county(golden_county, noise="realistic")


def test_clean_profile_serves_the_builders_records_unchanged(golden_county: County) -> None:
    served = serve_county(golden_county, noise="clean")
    assert not served.defects
    for stream in STREAMS:
        assert served.records[stream.name] == stream.build(golden_county)


@pytest.mark.parametrize("profile", ["realistic", "hostile"])
def test_every_noise_kind_is_injected_at_its_rate(golden_county: County, profile: str) -> None:
    served = serve_county(golden_county, noise=profile)
    injected = Counter(defect.kind for defect in served.defects)
    for kind in NOISE_KINDS:
        eligible = sum(per_stream.get(kind, 0) for per_stream in served.eligible.values())
        rate = NOISE_PROFILES[profile].rates[kind]
        # Binomial: within four standard deviations (plus one record) of the profile's rate.
        tolerance = 4 * math.sqrt(eligible * rate * (1 - rate)) + 1
        assert injected[kind] > 0, kind
        assert abs(injected[kind] - rate * eligible) <= tolerance, (kind, injected[kind], rate * eligible)


def test_same_seed_gives_the_same_noise(golden_county: County, realistic: ServedCounty) -> None:
    again = serve_county(golden_county, noise="realistic")
    assert again.defects == realistic.defects
    assert again.records == realistic.records


def test_every_id_meant_to_be_valid_passes_gb_11643(hostile: ServedCounty) -> None:
    altered = {
        (d.stream, d.record_id, d.field)
        for d in hostile.defects
        if d.kind != SECOND_ID and d.field is not None
    }
    checked = 0
    for stream in STREAMS:
        if stream.shape is None:
            continue
        for record in hostile.records[stream.name]:
            key = record.key.removesuffix(DUPLICATE_SUFFIX)
            for path in stream.shape.person_slots:
                for label, slot in _containers(record.item, path):
                    where = f"{label}.{stream.shape.id_field}" if label else stream.shape.id_field
                    if (stream.name, key, where) in altered:
                        continue
                    number = slot.get(stream.shape.id_field)
                    if stream.department == "civil_affairs" and isinstance(number, str) and len(number) == 15:
                        continue  # civil affairs' own legacy numbers, its normal shape
                    assert isinstance(number, str) and ric.is_valid(number), (stream.name, key, where, number)
                    checked += 1
    assert checked > 1000


def test_second_ids_are_valid_and_belong_to_nobody_else(golden_county: County, hostile: ServedCounty) -> None:
    seconds = [d for d in hostile.defects if d.kind == SECOND_ID]
    assert seconds
    real = golden_county.persons_by_id_number
    by_number: dict[str, str | None] = {}
    for defect in seconds:
        assert ric.is_valid(defect.served_value)
        assert defect.served_value not in real
        assert by_number.setdefault(defect.served_value, defect.person) == defect.person


def test_duplicates_are_served_right_after_their_original(hostile: ServedCounty) -> None:
    for records in hostile.records.values():
        for before, record in itertools.pairwise(records):
            if record.key.endswith(DUPLICATE_SUFFIX):
                assert before.key + DUPLICATE_SUFFIX == record.key
                assert before.item == record.item
