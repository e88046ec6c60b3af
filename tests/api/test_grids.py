"""The grid view: a grid's place in the division tree, its micro-grids, workers, households and counts."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine

from hub.simulator.model import County
from hub.warehouse.viewer import Role, Viewer
from tests.api.paging import every_node
from tests.support.graphql import counting_statements, execute

GRID = """
query($code: String!) {
  grid(code: $code) {
    code name level
    path { code level }
    parent { code }
    children { code level parent { code } }
    workers { workerNo name }
    statistics {
      households persons openCases overdueCases
      tagsByKind { kind persons }
      casesByDepartment { department open overdue }
    }
  }
}"""

DASHBOARD = """
query($first: Int!) {
  grids(first: $first) { edges { node { code statistics { households persons openCases
    tagsByKind { kind persons } casesByDepartment { department open overdue } } } } }
}"""


def _top_grid(county: County) -> str:
    return next(g.code for g in county.grids if g.level == "grid")


def test_grid_view_matches_the_registry(engine: Engine, golden_county: County) -> None:
    code = _top_grid(golden_county)

    grid = execute(GRID, engine=engine, variables={"code": code}).data["grid"]

    truth = golden_county.grids_by_code[code]
    assert (grid["code"], grid["name"], grid["level"]) == (truth.code, truth.name, "GRID")
    assert grid["parent"] is None
    village = golden_county.divisions_by_code[truth.division_code]
    assert [step["code"] for step in grid["path"]][-2:] == [village.code, code]
    assert [step["level"] for step in grid["path"]] == [
        "province",
        "city",
        "county",
        "township",
        "village",
        "grid",
    ]
    micro = sorted(g.code for g in golden_county.grids if g.parent_code == code)
    assert [c["code"] for c in grid["children"]] == micro
    assert all(c["level"] == "MICRO" and c["parent"]["code"] == code for c in grid["children"])
    workers = sorted(w.worker_id for w in golden_county.grid_workers if w.grid_code == code)
    assert sorted(w["workerNo"] for w in grid["workers"]) == workers
    households = [h for h in golden_county.households if h.micro_grid_code.startswith(code)]
    listed = every_node(
        """query($code: String!, $after: String) {
             households(first: 100, after: $after, filter: {gridCode: $code})
             { edges { node { hhNo } } pageInfo { hasNextPage endCursor } } }""",
        "households",
        engine=engine,
        variables={"code": code},
    )
    assert sorted(h["hhNo"] for h in listed) == sorted(h.hh_no for h in households)
    first_page = execute(
        "query($code: String!) { grid(code: $code) { households(first: 5) { edges { node { hhNo } } } } }",
        engine=engine,
        variables={"code": code},
    ).data["grid"]["households"]["edges"]
    assert [e["node"]["hhNo"] for e in first_page] == [h["hhNo"] for h in listed[:5]]
    statistics = grid["statistics"]
    assert statistics["households"] == len(households)
    assert statistics["persons"] == sum(len(h.members) for h in households)


def test_grid_statistics_agree_with_the_household_and_case_views(
    engine: Engine, golden_county: County
) -> None:
    code = _top_grid(golden_county)
    statistics = execute(GRID, engine=engine, variables={"code": code}).data["grid"]["statistics"]
    households = every_node(
        """query($code: String!, $after: String) {
             households(first: 100, after: $after, filter: {gridCode: $code})
             { edges { node { members { person { id tags { kind current } } } } }
               pageInfo { hasNextPage endCursor } } }""",
        "households",
        engine=engine,
        variables={"code": code},
    )
    open_cases = every_node(
        """query($code: String!, $after: String) { cases(first: 100, after: $after,
             filter: {gridCode: $code, isOpen: true}) { edges { node { department overdue } }
             pageInfo { hasNextPage endCursor } } }""",
        "cases",
        engine=engine,
        variables={"code": code},
    )

    holders: dict[str, set[str]] = {}
    for household in households:
        for member in household["members"]:
            for tag in member["person"]["tags"]:
                if tag["current"]:
                    holders.setdefault(tag["kind"], set()).add(member["person"]["id"])
    assert {t["kind"]: t["persons"] for t in statistics["tagsByKind"]} == {
        k: len(v) for k, v in holders.items()
    }
    by_department = Counter(case["department"] for case in open_cases)
    overdue = Counter(case["department"] for case in open_cases if case["overdue"])
    assert {c["department"]: (c["open"], c["overdue"]) for c in statistics["casesByDepartment"]} == {
        d: (n, overdue[d]) for d, n in by_department.items()
    }
    assert statistics["openCases"] == len(open_cases)


def test_grids_lists_a_village_subtree_by_level(engine: Engine, golden_county: County) -> None:
    village = golden_county.grids[0].division_code

    listed = execute(
        "query($p: String!) { grids(parent: $p, level: MICRO, first: 100) { edges { node { code } } } }",
        engine=engine,
        variables={"p": village},
    ).data["grids"]["edges"]

    expected = {g.code for g in golden_county.grids if g.code.startswith(village) and g.level == "micro"}
    assert {e["node"]["code"] for e in listed} == expected


def test_a_dashboard_of_grids_costs_the_same_statements_whatever_its_size(engine: Engine) -> None:
    with counting_statements(engine) as small:
        assert execute(DASHBOARD, engine=engine, variables={"first": 2}).errors is None
    with counting_statements(engine) as large:
        assert execute(DASHBOARD, engine=engine, variables={"first": 40}).errors is None

    assert len(large) == len(small) <= 4


def test_grid_worker_sees_only_their_grid_subtree(engine: Engine, golden_county: County) -> None:
    own, other = [g.code for g in golden_county.grids if g.level == "grid"][:2]
    worker = Viewer(user_id="gw", role=Role.GRID_WORKER, scope_codes=(own,))

    listed = execute("{ grids(first: 100) { edges { node { code } } } }", engine=engine, viewer=worker)
    foreign = execute(GRID, engine=engine, viewer=worker, variables={"code": other})

    codes = {e["node"]["code"] for e in listed.data["grids"]["edges"]}
    assert codes and all(code.startswith(own) for code in codes)
    assert foreign.errors is None and foreign.data == {"grid": None}


def test_a_grids_statistics_cost_one_statement(engine: Engine, golden_county: County) -> None:
    code = next(g.code for g in golden_county.grids if g.level == "grid")
    query = "query($code: String!) { grid(code: $code) { statistics { households tagsByKind { kind } } } }"

    with counting_statements(engine) as statements:
        assert execute(query, engine=engine, variables={"code": code}).errors is None

    # The grid, then its households, tags and cases counted together.
    assert len(statements) == 2
