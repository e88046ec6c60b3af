"""The household view: one household across public security, civil affairs, justice and petitions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from hub.api.ids import to_global_id
from hub.api.types.enums import CaseStatus, Department, TagKind
from hub.api.types.labels import LIFECYCLE_LABELS
from hub.reference.tables import load_table
from hub.simulator.model import County
from hub.warehouse.viewer import Role, Viewer
from tests.api.paging import every_node
from tests.support.graphql import counting_statements, execute

CROSS_DEPARTMENT = """
query {
  households(first: 100, filter: {hasTagFrom: CIVIL_AFFAIRS, hasCaseFrom: JUSTICE}) {
    edges { node {
      id hhNo address
      grid { code }
      members { relation person { name idNumber } }
      tags { kind department }
      cases { caseNo department }
    } }
    pageInfo { hasNextPage }
  }
}"""

PAGE = """
query Page($first: Int!) {
  households(first: $first) {
    edges { node {
      members { person { name } } tags { kind } cases { caseNo parties { role } }
      rating { stars } ratings(first: 3) { year } moralPoints { balance entries(first: 5) { points } }
    } }
  }
}"""


def test_household_view_joins_departments_as_the_county_has_them(
    engine: Engine, golden_county: County
) -> None:
    result = execute(CROSS_DEPARTMENT, engine=engine)

    assert result.errors is None
    nodes = [edge["node"] for edge in result.data["households"]["edges"]]
    assert nodes, "the golden county has households with a benefit and a justice case"
    persons = golden_county.persons_by_key
    for node in nodes:
        truth = golden_county.households_by_no[node["hhNo"]]
        assert node["address"] == truth.address
        assert node["grid"]["code"] == truth.micro_grid_code
        expected_members = sorted((m.relation, persons[m.person_key].id_number) for m in truth.members)
        assert sorted((m["relation"], m["person"]["idNumber"]) for m in node["members"]) == expected_members
        member_keys = {m.person_key for m in truth.members}
        expected_cases = {
            no
            for no, case in golden_county.cases_by_no.items()
            if member_keys & set(golden_county.case_parties(case))
        }
        assert {c["caseNo"] for c in node["cases"]} == expected_cases
        assert "JUSTICE" in {c["department"] for c in node["cases"]}
        assert "CIVIL_AFFAIRS" in {t["department"] for t in node["tags"]}


def test_household_by_id_is_the_same_household(engine: Engine) -> None:
    first = execute("{ households(first: 1) { edges { node { id hhNo } } } }", engine=engine)
    node = first.data["households"]["edges"][0]["node"]

    again = execute(
        "query($id: ID!) { household(id: $id) { hhNo } }", engine=engine, variables={"id": node["id"]}
    )

    assert again.data == {"household": {"hhNo": node["hhNo"]}}


def test_a_page_costs_the_same_statements_whatever_its_size(engine: Engine) -> None:
    with counting_statements(engine) as small:
        assert execute(PAGE, engine=engine, variables={"first": 10}).errors is None
    with counting_statements(engine) as large:
        assert execute(PAGE, engine=engine, variables={"first": 100}).errors is None

    # One each: the page, members, ratings, moral points, tags, cases, persons, parties, the access log.
    assert len(large) == len(small) <= 9


def test_other_roles_see_masked_identity(engine: Engine) -> None:
    county_officer = Viewer(user_id="officer", role=Role.COUNTY_OFFICER)
    query = "{ households(first: 1) { edges { node { members { person { name idNumber birthDate } } } } } }"

    result = execute(query, engine=engine, viewer=county_officer)

    person = result.data["households"]["edges"][0]["node"]["members"][0]["person"]
    assert person["idNumber"][6:-4] == "********" and person["birthDate"] is None
    assert person["name"][1:] == "*" * (len(person["name"]) - 1)


def test_grid_worker_cannot_read_other_grid_household(engine: Engine, golden_county: County) -> None:
    own_grid, other_grid = [g.code for g in golden_county.grids if g.level == "grid"][:2]
    worker = Viewer(user_id="gw", role=Role.GRID_WORKER, scope_codes=(own_grid,))
    in_grid = (
        "query($grid: String!) { households(first: 1, filter: {gridCode: $grid}) { edges { node { id } } } }"
    )
    foreign = execute(in_grid, engine=engine, variables={"grid": other_grid}).data["households"]["edges"][0][
        "node"
    ]["id"]

    by_id = execute(
        "query($id: ID!) { household(id: $id) { hhNo } }",
        engine=engine,
        viewer=worker,
        variables={"id": foreign},
    )
    listed = execute(
        "{ households(first: 100) { edges { node { grid { code } } } } }", engine=engine, viewer=worker
    )

    assert by_id.errors is None and by_id.data == {"household": None}
    codes = {edge["node"]["grid"]["code"] for edge in listed.data["households"]["edges"]}
    assert codes and all(code.startswith(own_grid) for code in codes)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('{ household(id: "not-an-id") { hhNo } }', "BAD_USER_INPUT"),
        (f'{{ household(id: "{to_global_id("Case", 1)}") {{ hhNo }} }}', "BAD_USER_INPUT"),
        ("{ households(first: 101) { edges { cursor } } }", "BAD_USER_INPUT"),
        ('{ households(after: "bogus") { edges { cursor } } }', "BAD_USER_INPUT"),
        ('{ grid(code: "12") { name } }', "BAD_USER_INPUT"),
        ("{ households { nope } }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_bad_input_gets_a_coded_error(engine: Engine, query: str, code: str) -> None:
    result = execute(query, engine=engine)

    assert result.errors, query
    assert result.errors[0].extensions["code"] == code


HOUSEHOLDS = """
query($after: String, $filter: HouseholdFilterInput) {
  households(first: 100, after: $after, filter: $filter) {
    edges { node { hhNo address members { person { tags { kind current } } } cases { isOpen } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_household_filters_select_what_the_full_list_holds(engine: Engine, golden_county: County) -> None:
    households = every_node(HOUSEHOLDS, "households", engine=engine)
    street = golden_county.households[0].address[:4]

    def holds(node: dict[str, Any], kind: str) -> bool:
        return any({"kind": kind, "current": True} in m["person"]["tags"] for m in node["members"])

    checks: dict[str, tuple[dict[str, Any], Any]] = {
        "tag kinds": (
            {"tagKinds": ["DISABLED", "EXTREME_POVERTY"]},
            lambda n: holds(n, "DISABLED") or holds(n, "EXTREME_POVERTY"),
        ),
        "open cases": ({"hasOpenCases": True}, lambda n: any(c["isOpen"] for c in n["cases"])),
        "no open cases": ({"hasOpenCases": False}, lambda n: not any(c["isOpen"] for c in n["cases"])),
        "address": ({"addressContains": street}, lambda n: street in n["address"]),
    }
    assert len(households) == len(golden_county.households)
    for name, (where, keep) in checks.items():
        filtered = every_node(HOUSEHOLDS, "households", engine=engine, variables={"filter": where})
        assert [h["hhNo"] for h in filtered] == [h["hhNo"] for h in households if keep(h)], name
        assert filtered or name == "open cases", name


def test_address_search_takes_wildcards_literally(engine: Engine) -> None:
    result = execute('{ households(filter: {addressContains: "%"}) { edges { cursor } } }', engine=engine)

    assert result.errors is None and result.data["households"]["edges"] == []


def test_household_view_has_head_benefits_and_a_merged_timeline(
    engine: Engine, golden_county: County
) -> None:
    found = execute(
        "{ households(first: 1, filter: {hasTagFrom: CIVIL_AFFAIRS, hasCaseFrom: JUSTICE})"
        " { edges { node { id hhNo } } } }",
        engine=engine,
    ).data["households"]["edges"][0]["node"]

    view = execute(
        """query($id: ID!) { household(id: $id) {
             head { idNumber }
             benefits { kind amount }
             caseCount cases(first: 1) { caseNo }
             timeline(first: 100) { at kind label status case { caseNo } person { idNumber } }
           } }""",
        engine=engine,
        variables={"id": found["id"]},
    ).data["household"]

    truth = golden_county.households_by_no[found["hhNo"]]
    persons = golden_county.persons_by_key
    assert view["head"]["idNumber"] == persons[truth.head_key].id_number
    member_keys = {m.person_key for m in truth.members}
    assert sorted(b["amount"] for b in view["benefits"]) == sorted(
        b.monthly_amount for b in golden_county.benefits if b.person_key in member_keys
    )
    assert len(view["cases"]) == 1 and view["caseCount"] >= 1
    times = [entry["at"] for entry in view["timeline"]]
    assert times == sorted(times, reverse=True)
    kinds = {entry["kind"] for entry in view["timeline"]}
    assert {"CASE_EVENT", "TAG_STARTED", "MEMBER_JOINED"} <= kinds
    assert all(e["case"] for e in view["timeline"] if e["kind"] == "CASE_EVENT")


def test_a_request_returns_every_connection_it_took(engine: Engine) -> None:
    assert execute(PAGE, engine=engine, variables={"first": 20}).errors is None

    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


CIVILITY = """
query($after: String) {
  households(first: 100, after: $after) {
    edges { node {
      hhNo
      rating { year stars assessedBy assessedOn }
      ratings(first: 100) { year stars }
      moralPoints {
        balance asOf
        entries(first: 100) { entryNo recordedOn reason reasonLabel points balance }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_household_ratings_and_moral_points_are_what_civil_affairs_recorded(
    engine: Engine, golden_county: County
) -> None:
    households = {node["hhNo"]: node for node in every_node(CIVILITY, "households", engine=engine)}
    assert len(households) == len(golden_county.households)
    ratings: dict[str, list[Any]] = {hh_no: [] for hh_no in households}
    for rating in sorted(golden_county.ratings, key=lambda r: -r.year):
        ratings[rating.hh_no].append(rating)
    entries: dict[str, list[Any]] = {hh_no: [] for hh_no in households}
    for entry in sorted(golden_county.moral_points, key=lambda e: (e.recorded_on, e.entry_no), reverse=True):
        entries[entry.hh_no].append(entry)

    for hh_no, node in households.items():
        truth = ratings[hh_no]
        assert node["ratings"] == [{"year": r.year, "stars": r.stars} for r in truth]
        latest = truth[0] if truth else None
        assert node["rating"] == (
            {
                "year": latest.year,
                "stars": latest.stars,
                "assessedBy": latest.assessed_by,
                "assessedOn": latest.assessed_on.isoformat(),
            }
            if latest
            else None
        )
        account = entries[hh_no]
        if not account:
            assert node["moralPoints"] is None
            continue
        points = node["moralPoints"]
        assert (points["balance"], points["asOf"]) == (account[0].balance, account[0].recorded_on.isoformat())
        assert [(e["entryNo"], e["points"], e["balance"]) for e in points["entries"]] == [
            (e.entry_no, e.points, e.balance) for e in account
        ]
        assert all(e["reasonLabel"] for e in points["entries"])
    assert any(node["rating"] is None for node in households.values()), "migrant households go unrated"
    assert any(node["moralPoints"] is None for node in households.values())


def test_moral_point_entries_are_cut_to_first_and_bounded(engine: Engine) -> None:
    query = """query($first: Int!) { households(first: 100) { edges { node {
        ratings(first: 1) { year } moralPoints { entries(first: $first) { entryNo } } } } } }"""

    two = execute(query, engine=engine, variables={"first": 2})
    too_many = execute(query, engine=engine, variables={"first": 101})

    assert two.errors is None
    nodes = [edge["node"] for edge in two.data["households"]["edges"]]
    assert all(len(n["ratings"]) <= 1 for n in nodes)
    assert all(len(n["moralPoints"]["entries"]) <= 2 for n in nodes if n["moralPoints"])
    assert any(len(n["moralPoints"]["entries"]) == 2 for n in nodes if n["moralPoints"])
    assert too_many.errors and too_many.errors[0].extensions["code"] == "BAD_USER_INPUT"


LABELLED = """
query {
  households(first: 30) {
    edges { node {
      members { relation relationLabel person { sex sexLabel ethnicity ethnicityLabel } }
      tags { kind label }
      cases { status statusLabel department departmentLabel events { status statusLabel } }
    } }
  }
}"""


def test_codes_come_with_their_chinese_labels_from_the_reference_tables(engine: Engine) -> None:
    result = execute(LABELLED, engine=engine)

    assert result.errors is None
    nodes = [edge["node"] for edge in result.data["households"]["edges"]]
    members = [member for node in nodes for member in node["members"]]
    persons = [member["person"] for member in members]
    tags = [tag for node in nodes for tag in node["tags"]]
    cases = [case for node in nodes for case in node["cases"]]
    events = [event for case in cases for event in case["events"]]
    assert members and tags and cases and events, "the golden county's first households have all of them"

    def named(table: str, code: str | None) -> str | None:
        return load_table(table).label(code) if code else None

    assert all(m["relationLabel"] == named("family_relation", m["relation"]) for m in members)
    assert all(p["sexLabel"] == named("sex", p["sex"]) and p["sexLabel"] for p in persons if p["sex"])
    assert all(p["ethnicityLabel"] == named("ethnicity", p["ethnicity"]) for p in persons)
    assert all(t["label"] == named("tag_kinds", TagKind[t["kind"]].value) and t["label"] for t in tags)
    assert all(c["departmentLabel"] == named("departments", Department[c["department"]].value) for c in cases)
    for item in (*cases, *events):
        assert item["statusLabel"] == LIFECYCLE_LABELS[CaseStatus[item["status"]].value]
