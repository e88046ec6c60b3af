"""The person view: identity masked per role (DESIGN §8), households, tags, cases and provenance."""

from __future__ import annotations

from sqlalchemy import Engine

from hub.simulator.model import County
from hub.warehouse.viewer import Role, Viewer
from tests.support.graphql import execute

BY_ID_NUMBER = """
query($id: String!) {
  persons(first: 1, filter: {idNumber: $id}) {
    edges { node { id name idNumber birthDate phone
      households { hhNo }
      tags { kind department current }
      cases { caseNo }
      caseCount
      sources { department recordId nameAsSent idNumberAsSent } } }
  }
}"""


def _petitioner(county: County) -> str:
    return next(p.petitioner_key for p in county.petitions)


def test_person_view_joins_every_department_that_knows_them(engine: Engine, golden_county: County) -> None:
    key = _petitioner(golden_county)
    truth = golden_county.persons_by_key[key]

    node = execute(BY_ID_NUMBER, engine=engine, variables={"id": truth.id_number}).data["persons"]["edges"][
        0
    ]["node"]

    assert (node["name"], node["idNumber"], node["birthDate"]) == (
        truth.name,
        truth.id_number,
        truth.birth_date.isoformat(),
    )
    assert [h["hhNo"] for h in node["households"]] == [golden_county.household_of_person[key].hh_no]
    expected_cases = {
        no for no, case in golden_county.cases_by_no.items() if key in golden_county.case_parties(case)
    }
    assert {c["caseNo"] for c in node["cases"]} == expected_cases
    assert node["caseCount"] == len(expected_cases)
    departments = {s["department"] for s in node["sources"]}
    assert {"PUBLIC_SECURITY", "PETITIONS"} <= departments


def test_person_by_id_is_masked_for_officers(engine: Engine, golden_county: County) -> None:
    truth = golden_county.persons_by_key[_petitioner(golden_county)]
    person_id = execute(BY_ID_NUMBER, engine=engine, variables={"id": truth.id_number}).data["persons"][
        "edges"
    ][0]["node"]["id"]
    officer = Viewer(user_id="officer", role=Role.COUNTY_OFFICER)

    view = execute(
        "query($id: ID!) { person(id: $id) { name idNumber birthDate phone"
        " sources { nameAsSent idNumberAsSent } } }",
        engine=engine,
        viewer=officer,
        variables={"id": person_id},
    ).data["person"]

    assert view["name"] == truth.name[0] + "*" * (len(truth.name) - 1)
    assert view["idNumber"] == truth.id_number[:6] + "********" + truth.id_number[-4:]
    assert view["birthDate"] is None
    assert view["phone"] is None or view["phone"][3:7] == "****"
    assert all(s["nameAsSent"][1:].strip("*") == "" for s in view["sources"])


def test_persons_filtered_by_tag_kind_hold_that_tag(engine: Engine) -> None:
    result = execute(
        "{ persons(first: 100, filter: {tagKinds: [SUBSISTENCE_ALLOWANCE]})"
        " { edges { node { tags { kind current } } } } }",
        engine=engine,
    )

    nodes = [e["node"] for e in result.data["persons"]["edges"]]
    assert nodes
    assert all({"kind": "SUBSISTENCE_ALLOWANCE", "current": True} in n["tags"] for n in nodes)


def test_department_officer_does_not_see_other_departments_sensitive_tags(engine: Engine) -> None:
    officer = Viewer(user_id="ps-1", role=Role.DEPARTMENT_OFFICER, department="public_security")
    query = (
        "{ households(first: 100, filter: {hasTagFrom: CIVIL_AFFAIRS})"
        " { edges { node { tags { department sensitivity } } } } }"
    )

    admin_view = execute(query, engine=engine).data["households"]["edges"]
    officer_view = execute(query, engine=engine, viewer=officer).data["households"]["edges"]

    admin_tags = [t for e in admin_view for t in e["node"]["tags"]]
    officer_tags = [t for e in officer_view for t in e["node"]["tags"]]
    assert any(t["sensitivity"] > 1 for t in admin_tags)
    assert all(t["department"] == "PUBLIC_SECURITY" or t["sensitivity"] == 1 for t in officer_tags)


def test_grid_worker_cannot_find_a_person_outside_their_grid(engine: Engine, golden_county: County) -> None:
    own, other = [g.code for g in golden_county.grids if g.level == "grid"][:2]
    outsider = next(h for h in golden_county.households if h.micro_grid_code.startswith(other))
    id_number = golden_county.persons_by_key[outsider.head_key].id_number
    worker = Viewer(user_id="gw", role=Role.GRID_WORKER, scope_codes=(own,))

    found = execute(BY_ID_NUMBER, engine=engine, viewer=worker, variables={"id": id_number})

    assert found.errors is None and found.data["persons"]["edges"] == []
