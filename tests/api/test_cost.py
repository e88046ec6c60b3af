"""The query cost budget: what the examples and benchmarks cost, and what is refused before it runs."""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest
from graphql import get_introspection_query, parse
from sqlalchemy import Engine

from hub.api.cost import COST_BUDGET, FAN_OUT, estimate, evaluate
from hub.api.examples import EXAMPLES
from hub.config import PROJECT_ROOT
from tests.support.graphql import SCHEMA, counting_statements, execute


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    return evaluate(estimate(SCHEMA._schema, parse(query), None), variables or {})


def _readme_queries() -> list[Any]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    queries = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    return [pytest.param(query, id=f"README {query.split('{')[0].strip()}") for query in queries]


def _benchmark_queries() -> list[Any]:
    # Read, not imported: importing bench/graphql.py rearranges sys.path.
    module = ast.parse((PROJECT_ROOT / "bench" / "graphql.py").read_text(encoding="utf-8"))
    return [
        pytest.param(node.value.value, id=f"bench {node.targets[0].id}")
        for node in module.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and node.value.value.lstrip().startswith("query ")
    ]


# The benchmark's page of households, with every case's parties too.
HEAVY_PAGE = """{
  households(first: 100) {
    edges { node {
      hhNo address
      members { relation person { name idNumber } }
      tags { kind department }
      cases { caseNo department status parties { role person { name } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""

# A list of 100 inside every item of a page of 100.
TOO_COSTLY = """query TooCostly {
  households(first: 100) { edges { node {
    members { person { name cases(first: 100) { caseNo parties { role person { name } } } } }
  } } }
}"""


def test_each_field_costs_one_and_a_list_multiplies_its_selection() -> None:
    query = (
        "{ households(first: 3) { edges { node { hhNo members { relation } } } pageInfo { hasNextPage } } }"
    )

    members = 1 + FAN_OUT["Household.members"] * 1
    edges = 1 + 3 * (1 + 1 + members)  # the connection's page size multiplies its edges
    assert cost(query) == 1 + edges + (1 + 1)


def test_the_benchmark_queries_are_found() -> None:
    assert len(_benchmark_queries()) == 4


@pytest.mark.parametrize(
    "query",
    [
        *(pytest.param(example.query, id=example.title) for example in EXAMPLES),
        *_readme_queries(),
        *_benchmark_queries(),
        pytest.param(HEAVY_PAGE, id="bench page with parties"),
    ],
)
def test_the_examples_and_benchmarks_are_well_within_the_budget(query: str) -> None:
    assert cost(query) <= COST_BUDGET // 4


def test_a_costly_query_is_refused_before_it_runs(engine: Engine) -> None:
    with counting_statements(engine) as statements:
        result = execute(TOO_COSTLY, engine=engine)

    assert cost(TOO_COSTLY) > 10 * COST_BUDGET
    assert result.data is None
    assert result.errors and len(result.errors) == 1
    error = result.errors[0]
    assert error.extensions == {"code": "QUERY_TOO_COMPLEX", "cost": cost(TOO_COSTLY), "budget": COST_BUDGET}
    assert error.message == (
        f"query cost {cost(TOO_COSTLY):,} exceeds the budget of {COST_BUDGET:,}; "
        "ask for fewer items per page or fewer nested lists"
    )
    assert statements == []


PAGE_OF = """query Page($n: Int!) {
  households(first: $n) { edges { node {
    hhNo members { person { name cases(first: 100) { caseNo parties { role } } } }
  } } }
}"""


def test_a_variable_first_counts_in_each_request(engine: Engine) -> None:
    one, two = cost(PAGE_OF, {"n": 1}), cost(PAGE_OF, {"n": 2})
    assert cost(PAGE_OF, {"n": 100}) == one + 99 * (two - one) > COST_BUDGET > one

    # The same document, estimated once: each request's variables decide.
    refused = execute(PAGE_OF, engine=engine, variables={"n": 100})
    served = execute(PAGE_OF, engine=engine, variables={"n": 1})

    assert refused.errors and refused.errors[0].extensions["code"] == "QUERY_TOO_COMPLEX"
    assert served.errors is None, served.errors
    assert len(served.data["households"]["edges"]) == 1


def test_a_variable_default_counts_when_the_request_gives_none() -> None:
    defaulted = PAGE_OF.replace("$n: Int!", "$n: Int! = 100")

    assert cost(defaulted) == cost(PAGE_OF, {"n": 100})
    assert cost(defaulted, {"n": 2}) == cost(PAGE_OF, {"n": 2})


def test_a_connection_without_first_counts_its_default_page() -> None:
    assert cost("{ households { edges { node { hhNo } } } }") == cost(
        "{ households(first: 20) { edges { node { hhNo } } } }"
    )


def test_sizes_beyond_a_page_count_as_a_page_and_execution_says_why(engine: Engine) -> None:
    query = "{ households(first: 1000) { edges { node { hhNo } } } }"

    assert cost(query) == cost(query.replace("1000", "100"))
    result = execute(query, engine=engine)
    assert result.errors and result.errors[0].extensions["code"] == "BAD_USER_INPUT"


def test_nodes_count_one_item_per_id() -> None:
    selection = "{ ... on Household { hhNo members { relation } } ... on Person { name } }"
    per_id = 1 + (1 + FAN_OUT["Household.members"]) + 1  # the fragments on both types are counted

    assert (
        cost(f"query($ids: [ID!]!) {{ nodes(ids: $ids) {selection} }}", {"ids": ["a"] * 30})
        == 1 + 30 * per_id
    )
    assert cost(f'{{ nodes(ids: ["a", "b"]) {selection} }}') == 1 + 2 * per_id


FIELDS = "{ households(first: 50) { edges { node { hhNo members { person { name tags { kind } } } } } } }"


@pytest.mark.parametrize(
    "query",
    [
        """query { households(first: 50) { edges { node { ...H } } } }
        fragment H on Household { hhNo members { person { ...P } } }
        fragment P on Person { name tags { kind } }""",
        """{ households(first: 50) { edges { node {
          ... on Household { hhNo members { person { ... on Person { name tags { kind } } } } }
        } } } }""",
        """query { households(first: 50) { ...Page } }
        fragment Page on HouseholdConnection {
          edges { node { hhNo members { person { name tags { kind } } } } }
        }""",
    ],
    ids=["named", "inline", "on the connection"],
)
def test_fragments_cost_what_their_fields_cost(query: str) -> None:
    assert cost(query) == cost(FIELDS)


def test_a_fragment_spread_twice_counts_as_its_fields_written_twice() -> None:
    spread_twice = """query { households(first: 50) { edges { node { ...H ...H } } } }
    fragment H on Household { hhNo members { person { name tags { kind } } } }"""
    written_twice = FIELDS.replace("hhNo", "hhNo members { person { name tags { kind } } } hhNo")

    assert cost(spread_twice) == cost(written_twice) > cost(FIELDS)


SELECTION = "{ edges { node { members { person { name cases(first: 20) { caseNo } } } } } }"


def test_aliases_cost_as_much_as_repeated_fields(engine: Engine) -> None:
    single = cost(f"{{ households(first: 100) {SELECTION} }}")
    aliased = "{ " + " ".join(f"h{i}: households(first: 100) {SELECTION}" for i in range(8)) + " }"
    repeated = "{ " + " ".join(f"households(first: 100) {SELECTION}" for _ in range(8)) + " }"

    assert single <= COST_BUDGET < cost(aliased) == cost(repeated) == 8 * single
    result = execute(aliased, engine=engine)
    assert result.errors and result.errors[0].extensions["code"] == "QUERY_TOO_COMPLEX"


def test_introspection_costs_one_field() -> None:
    assert cost(get_introspection_query()) == 1


def test_an_invalid_query_is_refused_by_validation_not_estimated(engine: Engine) -> None:
    result = execute(TOO_COSTLY.replace("caseNo", "noSuchField"), engine=engine)

    assert result.errors and [e.extensions["code"] for e in result.errors] == ["GRAPHQL_VALIDATION_FAILED"]
