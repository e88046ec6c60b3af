"""Addresses: the ways a clerk writes one door all normalise to one form."""

from __future__ import annotations

import pytest

from hub.resolution.addresses import address_similarity, normalise_address

DOOR = "桐庐县城南街道3组12号"


@pytest.mark.parametrize(
    "variant",
    [
        "城南街道3组12号",
        "浙江省杭州市桐庐县城南街道3组12号",
        "桐庐县城南街道三组12号",
        "桐庐县城南街道第3组12",
        "桐庐县城南街道３组１２号",
    ],
)
def test_variants_of_one_door_normalise_alike(variant: str) -> None:
    assert normalise_address(variant) == normalise_address(DOOR)


def test_different_doors_stay_apart() -> None:
    assert address_similarity(normalise_address(DOOR), normalise_address("桐庐县富春街道8组3号")) < 60


def test_a_residents_committee_is_not_read_as_a_county_district() -> None:
    written = [
        "桐庐县桐君街道松坞社区滨江路52号",
        "桐君街道松坞社区滨江路52号",
        "浙江省杭州市桐庐县桐君街道松坞社区滨江路５２号",
    ]

    assert {normalise_address(address) for address in written} == {"桐君街道松坞社区滨江路52"}
