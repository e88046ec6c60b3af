"""What `make demo` does, end to end over loopback HTTP: simulator → pipelines → warehouse → API.

One household's cross-department view is compared field by field with what the generator made.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from pydantic import SecretStr

from hub.api.app import create_app
from hub.api.permissions import issue_token
from hub.config import Environment
from hub.demo import EXAMPLE_QUERY
from hub.errors import InvalidInput
from hub.reference.tables import load_table
from hub.simulator.model import County
from hub.simulator.server import serving
from hub.warehouse.viewer import Role, Viewer
from tests.support.browser import chromium_available, render_page
from tests.support.databases import copy_of
from tests.support.warehouse import hub_settings, ingest_county

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
FIND = """
query {
  households(first: 1, filter: {hasTagFrom: CIVIL_AFFAIRS, hasCaseFrom: JUSTICE}) {
    edges { node { id hhNo } }
  }
}"""


@pytest.fixture(scope="module")
def api_url(
    golden_county: County, migrated_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The API over a warehouse the real pipelines filled from the simulator over HTTP."""
    var = tmp_path_factory.mktemp("e2e")
    with copy_of(migrated_template, var) as database_url:
        assert ingest_county(county=golden_county, database_url=database_url, var_dir=var).success
        with serving(create_app(hub_settings(database_url=database_url, var_dir=var))) as url:
            yield url


def graphql(api_url: str, query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    response = requests.post(f"{api_url}/graphql", json={"query": query, "variables": variables}, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def test_demo_query_returns_a_household_across_departments(api_url: str, golden_county: County) -> None:
    found = graphql(api_url, FIND)["households"]["edges"][0]["node"]  # type: ignore[index]

    view = graphql(api_url, EXAMPLE_QUERY, {"id": found["id"]})["household"]

    truth = golden_county.households_by_no[found["hhNo"]]
    persons = golden_county.persons_by_key
    assert view["hhNo"] == truth.hh_no
    assert view["address"] == truth.address
    assert view["grid"]["code"] == truth.micro_grid_code
    assert view["grid"]["name"] == golden_county.grids_by_code[truth.micro_grid_code].name
    served = sorted(
        (m["relationLabel"], m["person"]["name"], m["person"]["idNumber"], m["person"]["birthDate"])
        for m in view["members"]
    )
    relations = load_table("family_relation")
    expected = sorted(
        (
            relations.label(m.relation),
            persons[m.person_key].name,
            persons[m.person_key].id_number,
            persons[m.person_key].birth_date.isoformat(),
        )
        for m in truth.members
    )
    assert served == expected
    assert view["members"][0]["relationLabel"] == "户主"
    member_keys = {m.person_key for m in truth.members}
    benefit_labels = {b.category for b in golden_county.benefits if b.person_key in member_keys}
    assert benefit_labels <= {t["label"] for t in view["tags"]}
    cases = {c["caseNo"]: c for c in view["cases"]}
    expected_cases = {
        no for no, c in golden_county.cases_by_no.items() if member_keys & set(golden_county.case_parties(c))
    }
    assert set(cases) == expected_cases
    assert {"司法"} <= {c["departmentLabel"] for c in cases.values()}
    opened = [c["openedAt"] for c in view["cases"]]
    assert opened == sorted(opened, reverse=True) and all(o.endswith("+08:00") for o in opened)


def test_healthz_answers(api_url: str) -> None:
    assert requests.get(f"{api_url}/healthz", timeout=10).json() == {"status": "ok"}


def test_production_refuses_anonymous_callers_and_accepts_a_signed_token(
    database_url: str, tmp_path: Path
) -> None:
    # Its own database: a server's pooled connections to the shared template would stop it being copied.
    settings = hub_settings(database_url=database_url, var_dir=tmp_path).model_copy(
        update={
            "env": Environment.PRODUCTION,
            "jwt_secret": SecretStr("a-test-secret-of-its-own-32-bytes-or-more"),
        }
    )
    token = issue_token(Viewer(user_id="officer-1", role=Role.COUNTY_OFFICER), settings=settings)
    query = {"query": "{ households(first: 1) { edges { cursor } } }"}
    with serving(create_app(settings)) as url:
        anonymous = requests.post(f"{url}/graphql", json=query, timeout=10)
        signed = requests.post(
            f"{url}/graphql", json=query, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        page = requests.get(f"{url}/graphql", headers={"accept": "text/html"}, timeout=10)

    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert signed.status_code == 200 and signed.json() == {"data": {"households": {"edges": []}}}
    assert page.status_code != 200  # no GraphiQL in production


def test_production_refuses_the_development_token_secret(database_url: str, tmp_path: Path) -> None:
    settings = hub_settings(database_url=database_url, var_dir=tmp_path).model_copy(
        update={"env": Environment.PRODUCTION}
    )

    with pytest.raises(InvalidInput, match="HUB_JWT_SECRET"):
        create_app(settings)


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"), reason="needs Debian's chromium")
def test_graphiql_page_makes_no_request_outside_loopback(api_url: str) -> None:
    render = render_page(f"{api_url}/graphql", screenshot=ARTIFACTS / "hub-graphiql.png")

    assert {urlsplit(url).hostname for url in render.requested_urls} == {"127.0.0.1"}
    assert render.failed_requests == []
    assert render.screenshot is not None and render.screenshot.stat().st_size > 20_000
