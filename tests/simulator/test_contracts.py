"""Every served response validates against its OpenAPI 3.1 contract in `schema/contracts/`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import requests
from jsonschema import Draft202012Validator

from hub.simulator import County, SimulatorSettings
from hub.simulator.catalog import STREAMS, serve_county
from hub.simulator.noise import DUPLICATE_SUFFIX
from tests.simulator.harvest import Harvester

CONTRACTS = Path(__file__).resolve().parents[2] / "schema" / "contracts"
_FILES = {
    "registry": ("registry", "/registry"),
    "public_security": ("public-security", "/public-security"),
    "civil_affairs": ("civil-affairs", "/civil-affairs"),
    "justice": ("justice", "/justice"),
    "petitions": ("petitions", "/petitions"),
}
_PAGE = {
    "registry": {"limit": 1000},
    "public_security": {"limit": 500},
    "civil_affairs": {"limit": 1000},
    "justice": {"pageSize": 200},
    "petitions": {"limit": 500},
}


def _contract(department: str) -> dict[str, Any]:
    name, _ = _FILES[department]
    document: dict[str, Any] = json.loads((CONTRACTS / f"{name}.openapi.json").read_text(encoding="utf-8"))
    return document


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    # The contract is the root resource, so `#/components/schemas/…` references resolve inside it.
    return Draft202012Validator({**schema, "components": document["components"]})


def _ok_media(document: dict[str, Any], path: str) -> tuple[str, dict[str, Any]]:
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    [(media_type, media)] = content.items()
    return media_type, media


def _item_validators() -> Iterator[tuple[str, Draft202012Validator]]:
    """Per stream, a validator of one item (a JSON item, a CSV row as header → cell, a feed line)."""
    for stream in STREAMS:
        document = _contract(stream.department)
        _, prefix = _FILES[stream.department]
        _, media = _ok_media(document, stream.path.removeprefix(prefix))
        if "x-csv-row" in media:
            schema = media["x-csv-row"]
        elif media.get("x-json-lines"):
            schema = media["schema"]
        else:
            body = media["schema"]["properties"]
            items = body.get("items") or body.get("data")
            if items is None or "items" not in items:
                items = body["data"]["properties"]["records"]
            schema = items["items"]
        yield stream.name, _validator(document, schema)


ITEM_VALIDATORS = dict(_item_validators())


def test_contracts_are_openapi_3_1_with_valid_schemas() -> None:
    for department in _FILES:
        document = _contract(department)
        assert document["openapi"] == "3.1.0"
        for schema in document["components"]["schemas"].values():
            Draft202012Validator.check_schema(schema)
    paths = {stream.path for stream in STREAMS}
    for department, (_, prefix) in _FILES.items():
        for path in _contract(department)["paths"]:
            assert prefix + path in paths or path == "/oauth/token"


def test_every_clean_item_conforms(golden_county: County, http: requests.Session, simulator_url: str) -> None:
    harvest = Harvester(simulator_url, SimulatorSettings(), http).run()
    for stream, items in harvest.items.items():
        assert items, stream
        validator = ITEM_VALIDATORS[stream]
        for item in items:
            errors = [error.message for error in validator.iter_errors(item)]
            assert not errors, (stream, item, errors)


def test_every_first_page_conforms_as_a_whole(
    http: requests.Session, simulator_url: str, bearer: dict[str, str]
) -> None:
    settings = SimulatorSettings()
    auth = {
        "public_security": bearer,
        "civil_affairs": {"X-API-Key": settings.civil_affairs_api_key},
        "justice": {"Authorization": "Basic aHViOmh1Yi1qdXN0aWNl"},
        "petitions": {"Authorization": f"Token {settings.petitions_token}"},
        "registry": {},
    }
    for stream in STREAMS:
        document = _contract(stream.department)
        _, prefix = _FILES[stream.department]
        response = http.get(
            simulator_url + stream.path, headers=auth[stream.department], params=_PAGE[stream.department]
        )
        assert response.status_code == 200
        media_type, media = _ok_media(document, stream.path.removeprefix(prefix))
        assert response.headers["content-type"].split(";")[0] == media_type.split(";")[0]
        if media_type == "application/json":
            errors = list(_validator(document, media["schema"]).iter_errors(orjson.loads(response.content)))
            assert not errors, (stream.path, errors[0].message)
        elif "x-csv-columns" in media:
            header = next(csv.reader(io.StringIO(response.content.decode(media["x-encoding"]))))
            assert header == media["x-csv-columns"]


def test_noisy_records_without_defects_still_conform(golden_county: County) -> None:
    served = serve_county(golden_county, noise="hostile")
    defective = {
        (defect.stream, defect.record_id.removesuffix(DUPLICATE_SUFFIX)) for defect in served.defects
    }
    failing = 0
    for stream in STREAMS:
        validator = ITEM_VALIDATORS[stream.name]
        for record in served.records[stream.name]:
            valid = validator.is_valid(record.item)
            if (stream.name, record.key.removesuffix(DUPLICATE_SUFFIX)) not in defective:
                assert valid, (stream.name, record.key)
            else:
                failing += not valid
    assert failing > 0  # the hostile profile breaks the contract on some records
