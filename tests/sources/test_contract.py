"""Schema drift: a page renaming a field in every item is asked for again; a record doing so is rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

import orjson
import pytest

from hub.errors import RecordRejected
from hub.simulator import County, SimulatorSettings
from hub.simulator.faults import RENAMED_FIELDS
from hub.simulator.server import running_simulator
from hub.sources.civil_affairs.client import CivilAffairsClient
from hub.sources.contract import check_page, check_record, contract_fields
from hub.sources.http import MalformedResponse
from hub.sources.justice.client import JusticeClient
from hub.sources.public_security.client import PublicSecurityClient
from hub.sources.registry.client import RegistryClient
from tests.sources.conftest import FAST_RETRY


class Payload(TypedDict, total=False):
    id: str
    name: str
    updated_at: str


CONTRACT = contract_fields(Payload)


def test_contract_fields_are_every_key_the_payload_type_names() -> None:
    assert {"id", "name", "updated_at"} == CONTRACT


def test_a_page_whose_items_all_rename_one_field_is_malformed_but_readable() -> None:
    page = [{"id": "1", "name": "王伟", "updatedAt": "x"}, {"id": "2", "name": "李娜", "updatedAt": "y"}]
    with pytest.raises(MalformedResponse, match="all lack updated_at and carry updatedAt") as raised:
        check_page(page, contract=CONTRACT, parsed={"items": page})
    assert raised.value.readable == {"items": page}


def test_one_drifted_record_among_good_ones_is_left_to_quarantine() -> None:
    page = [{"id": "1", "name": "王伟", "updatedAt": "x"}, {"id": "2", "name": "李娜", "updated_at": "y"}]
    check_page(page, contract=CONTRACT)


def test_a_field_added_to_every_item_without_one_lost_is_not_a_bad_response() -> None:
    page = [{"id": "1", "name": "王伟", "updated_at": "x", "phone": "1"}, {"id": "2", "phone": "2"}]
    check_page(page, contract=CONTRACT)


def renamed_faults(log: Path) -> set[str]:
    """The paths whose responses the simulator renamed a field in."""
    lines = [orjson.loads(line) for line in log.read_bytes().splitlines() if line.strip()]
    return {line["path"] for line in lines if line["kind"] == "renamed_field"}


def lacking(items: list[Any], stream: str) -> list[Any]:
    field = RENAMED_FIELDS[stream][0]
    return [item for item in items if field not in item]


def test_clients_ask_again_for_pages_a_fault_renamed_a_field_in(
    golden_county: County, tmp_path: Path
) -> None:
    log = tmp_path / "faults.jsonl"
    settings = SimulatorSettings(
        faults="hostile", fault_slow_seconds=0.05, fault_retry_after_seconds=0, fault_log_path=str(log)
    )
    with running_simulator(county=golden_county, settings=settings) as base_url:
        registry = RegistryClient(f"{base_url}/registry", timeout=5, page_size=20, retry=FAST_RETRY)
        justice = JusticeClient(
            f"{base_url}/justice",
            settings.justice_username,
            settings.justice_password,
            timeout=5,
            page_size=10,
            retry=FAST_RETRY,
        )
        police = PublicSecurityClient(
            f"{base_url}/public-security",
            settings.public_security_client_id,
            settings.public_security_client_secret,
            timeout=5,
            page_size=25,
            retry=FAST_RETRY,
        )
        civil = CivilAffairsClient(
            f"{base_url}/civil-affairs",
            settings.civil_affairs_api_key,
            timeout=5,
            page_size=8,
            retry=FAST_RETRY,
        )
        read = {
            "benefits": list(civil.iter_benefits()),
            "addresses": list(registry.iter_addresses()),
            "mediations": list(justice.iter_mediation_cases()),
            "households": list(police.iter_households()),
        }

    faulted = {
        "/civil-affairs/export/benefits.csv",
        "/registry/addresses",
        "/justice/api/mediationCases",
        "/public-security/api/households",
    }
    assert faulted <= renamed_faults(log)
    assert {stream: lacking(items, stream) for stream, items in read.items()} == {
        stream: [] for stream in read
    }
    assert len(read["households"]) == len(golden_county.households)
    assert len(read["mediations"]) == len(golden_county.mediations)


def test_a_record_that_renamed_a_field_is_rejected_naming_it() -> None:
    with pytest.raises(RecordRejected, match="lacks updated_at and carries updatedAt") as raised:
        check_record({"id": "1", "name": "王伟", "updatedAt": "x"}, contract=CONTRACT, where="members")
    assert raised.value.rule == "members.updated_at.renamed"


def test_a_record_that_only_added_a_field_flows_on() -> None:
    check_record({"id": "1", "name": "王伟", "updated_at": "x", "wechat": "w"}, contract=CONTRACT)
