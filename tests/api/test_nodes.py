"""Relay entry points: `node`, `nodes` and `me`."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine

from hub.api.context import build_context
from hub.api.ids import to_global_id
from hub.api.schema import build_schema
from hub.config import Settings
from hub.db.engine import session_factory
from hub.simulator.model import County
from hub.warehouse.viewer import Role, Viewer
from tests.support.graphql import ADMIN, counting_statements, execute

IDS = """{
  households(first: 1) { edges { node { id } } }
  cases(first: 1) { edges { node { id } } }
  grids(first: 1) { edges { node { id division { id } } } }
  persons(first: 1) { edges { node { id } } }
}"""


def test_nodes_refetch_every_kind_in_the_order_asked(engine: Engine) -> None:
    found = execute(IDS, engine=engine).data
    ids = [found[field]["edges"][0]["node"]["id"] for field in ("persons", "grids", "cases", "households")]
    ids.append(found["grids"]["edges"][0]["node"]["division"]["id"])
    missing = to_global_id("Household", 10_000_000)

    result = execute(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        engine=engine,
        variables={"ids": [*ids, missing]},
    )

    assert result.errors is None
    assert [n and n["__typename"] for n in result.data["nodes"]] == [
        "Person",
        "Grid",
        "Case",
        "Household",
        "Division",
        None,
    ]
    assert [n["id"] for n in result.data["nodes"][:5]] == ids
    single = execute("query($id: ID!) { node(id: $id) { id } }", engine=engine, variables={"id": ids[1]})
    assert single.data == {"node": {"id": ids[1]}}


def test_nodes_cost_the_same_statements_however_many_are_asked(engine: Engine) -> None:
    households = execute("{ households(first: 40) { edges { node { id } } } }", engine=engine).data
    ids = [edge["node"]["id"] for edge in households["households"]["edges"]]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Household { hhNo } } }"

    with counting_statements(engine) as few:
        assert execute(query, engine=engine, variables={"ids": ids[:2]}).errors is None
    with counting_statements(engine) as many:
        assert execute(query, engine=engine, variables={"ids": ids}).errors is None

    assert len(many) == len(few) == 1


def test_nodes_refuses_more_than_a_page(engine: Engine) -> None:
    ids = [to_global_id("Household", i) for i in range(1, 102)]

    result = execute("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", engine=engine, variables={"ids": ids})

    assert result.errors and result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert "ids must hold 1 to 100" in result.errors[0].message


def test_node_in_another_grid_is_null_for_a_grid_worker(engine: Engine, golden_county: County) -> None:
    own, other = [g.code for g in golden_county.grids if g.level == "grid"][:2]
    foreign = execute(
        "query($c: String!) { grid(code: $c) { id } }", engine=engine, variables={"c": other}
    ).data["grid"]["id"]
    worker = Viewer(user_id="gw", role=Role.GRID_WORKER, scope_codes=(own,))

    result = execute(
        "query($id: ID!) { node(id: $id) { id } }", engine=engine, viewer=worker, variables={"id": foreign}
    )

    assert result.errors is None and result.data == {"node": None}


def test_me_says_who_is_asking(engine: Engine) -> None:
    worker = Viewer(user_id="gw-7", role=Role.GRID_WORKER, scope_codes=("330122001001001",))

    me = execute(
        "{ me { userId role scopeCodes department seesUnmasked readsAccessLog } }",
        engine=engine,
        viewer=worker,
    ).data["me"]

    assert me == {
        "userId": "gw-7",
        "role": "GRID_WORKER",
        "scopeCodes": ["330122001001001"],
        "department": None,
        "seesUnmasked": False,
        "readsAccessLog": False,
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            '{ households(filter: {gridCode: "33x"}) { edges { cursor } } }',
            "filter.gridCode must be 1 to 17 digits",
        ),
        (
            '{ households(filter: {addressContains: "  "}) { edges { cursor } } }',
            "filter.addressContains must be",
        ),
        (
            '{ persons(filter: {idNumber: "123"}) { edges { cursor } } }',
            "filter.idNumber must be an 18-character",
        ),
        (
            '{ cases(filter: {openedFrom: "2026-01-01T00:00:00"}) { edges { cursor } } }',
            "filter.openedFrom needs a UTC offset",
        ),
        (
            '{ cases(filter: {openedFrom: "2026-02-01T00:00:00+08:00",'
            ' openedBefore: "2026-01-01T00:00:00+08:00"})'
            " { edges { cursor } } }",
            "filter.openedFrom must be before",
        ),
        ('{ grids(parent: "abc") { edges { cursor } } }', "parent must be 1 to 17 digits"),
        (
            "{ households(first: 1) { edges { node { cases(first: 0) { caseNo } } } } }",
            "first must be between 1 and 100",
        ),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(engine: Engine, query: str, message: str) -> None:
    result = execute(query, engine=engine)

    assert result.errors, query
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert message in result.errors[0].message


def test_an_unknown_enum_value_fails_validation(engine: Engine) -> None:
    result = execute("{ cases(filter: {departments: [POLICE]}) { edges { cursor } } }", engine=engine)

    assert result.errors and result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_production_refuses_introspection(engine: Engine) -> None:
    production = build_schema(production=True)
    context = build_context(viewer=ADMIN, sessions=session_factory(engine), settings=Settings(_env_file=None))  # type: ignore[call-arg]

    result = asyncio.run(production.execute("{ __schema { types { name } } }", context_value=context))

    assert result.errors and result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ me { role " + "role " * 2100 + "} }", "QUERY_TOO_COMPLEX"),
        ("{ me { role ", "GRAPHQL_PARSE_FAILED"),
    ],
)
def test_a_document_that_does_not_parse_is_refused_with_a_code(engine: Engine, query: str, code: str) -> None:
    result = execute(query, engine=engine)

    assert result.errors and [error.extensions["code"] for error in result.errors] == [code]
