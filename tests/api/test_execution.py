"""Plain fields read off their objects and resolvers called directly answer as Strawberry would."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from typing import Any

import pytest
import strawberry
from graphql import FieldNode, GraphQLEnumType, NameNode
from strawberry.extensions import ParserCache
from strawberry.permission import BasePermission
from strawberry.types import ExecutionResult

from hub.api import execution
from hub.api.execution import HubExecutionContext, call_resolvers_directly, plain_field, serializer


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


class Never(BasePermission):
    message = "never"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Thing:
    name: str
    label: str | None
    colour: Colour
    on: dt.date

    @strawberry.field(description="Derived from `name` when asked for")
    def upper(self) -> str:
        return self.name.upper()

    @strawberry.field
    def label_again(self) -> str | None:
        return self.label

    @strawberry.field
    def shout(self, info: strawberry.Info, times_over: int = 2) -> str:
        return f"{self.name}{'!' * times_over} {info.field_name}"

    @strawberry.field(permission_classes=[Never])
    def secret(self) -> str:
        return "leaked"

    @strawberry.field
    def partner(self) -> Thing | None:
        return A

    @strawberry.field
    def impostor(self) -> Thing | None:
        return Impostor()  # type: ignore[return-value]

    @strawberry.field
    def must(self) -> Thing:
        return None  # type: ignore[return-value]

    @strawberry.field
    def failing(self) -> Thing | None:
        raise ValueError(f"{self.name} has no partner")

    @strawberry.field
    async def later(self) -> Thing | None:
        return A

    @strawberry.field
    async def later_failing(self) -> Thing:
        raise ValueError("not later either")

    @strawberry.field
    def partners(self) -> list[Thing]:
        return [A, A]

    @strawberry.field
    def partners_with_broken(self) -> list[Thing]:
        return [A, BROKEN]

    @strawberry.field
    def maybe_partners(self) -> list[Thing | None] | None:
        return [A, None, Impostor()]  # type: ignore[list-item]

    @strawberry.field
    def named(self, info: strawberry.Info) -> str:
        return f"{self.name} as {info.field_name}"


class Impostor:
    """Not a Thing, though it has a Thing's attributes."""

    name = "impostor"


A = Thing(name="a", label=None, colour=Colour.RED, on=dt.date(2026, 1, 2))
BROKEN = Thing(name=None, label="b", colour="blue", on=dt.date(2026, 1, 3))  # type: ignore[arg-type]


@strawberry.type
class Pair:
    """Objects held as attributes, read without a resolver."""

    first: Thing
    second: Thing | None
    both: list[Thing]


async def _thing() -> Thing:
    return A


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [A, BROKEN]

    @strawberry.field
    def with_null(self) -> list[Thing | None]:
        return [A, None]

    @strawberry.field
    def strict(self) -> list[Thing] | None:
        return [A, BROKEN]

    @strawberry.field
    def awaited(self) -> list[Thing]:
        return [_thing()]  # type: ignore[list-item]

    @strawberry.field
    def pairs(self) -> list[Pair | None]:
        return [
            Pair(first=A, second=None, both=[A, A]),
            Pair(first=A, second=Impostor(), both=[A]),  # type: ignore[arg-type]
            Pair(first=None, second=A, both=[]),  # type: ignore[arg-type]
            Pair(first=A, second=A, both=[A, BROKEN]),
        ]


def located_errors(result: ExecutionResult) -> list[tuple[str, tuple[str | int, ...]]]:
    """The result's errors with their paths, in an order of their own (resolvers may finish in any)."""
    return sorted((e.message, tuple(e.path or ())) for e in result.errors or [])


def schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(query=Query)
    hub = strawberry.Schema(query=Query, execution_context_class=HubExecutionContext)
    call_resolvers_directly(hub)
    return plain, hub


def answers(query: str, variables: dict[str, Any] | None = None) -> tuple[ExecutionResult, ExecutionResult]:
    """Plain Strawberry's answer to `query`, then the hub executor's, each executed asynchronously."""
    plain, hub = schemas()
    expected = asyncio.run(plain.execute(query, variable_values=variables))
    return expected, asyncio.run(hub.execute(query, variable_values=variables))


def test_plain_fields_and_their_errors_are_what_strawberry_answers() -> None:
    plain, hub = schemas()
    query = "{ things { name label colour on alias: name upper labelAgain } }"

    expected, got = plain.execute_sync(query), hub.execute_sync(query)

    first = {"name": "a", "label": None, "colour": "RED", "on": "2026-01-02", "alias": "a"}
    assert got.data == expected.data == {"things": [{**first, "upper": "A", "labelAgain": None}, None]}
    assert [(e.message, e.path) for e in got.errors or []] == [
        (e.message, e.path) for e in expected.errors or []
    ]
    assert got.errors


def test_attributes_and_methods_of_self_alone_are_read_as_plain_fields() -> None:
    _, hub = schemas()
    fields = hub._schema.type_map["Thing"].fields  # type: ignore[union-attr]

    def plain(name: str) -> object:
        return plain_field(fields[name], FieldNode(name=NameNode(value=name), arguments=()))

    assert [plain(name).read(A) for name in ("name", "upper", "labelAgain")] == ["a", "A", None]  # type: ignore[union-attr]
    # Info, arguments, a permission or an object type: executed as any field.
    assert [plain(name) for name in ("named", "shout", "secret", "partner")] == [None] * 4


def test_lists_of_objects_and_their_errors_are_what_strawberry_answers() -> None:
    expected, got = answers("{ withNull { name } strict { name } awaited { name } }")

    assert (
        got.data
        == expected.data
        == {
            "withNull": [{"name": "a"}, None],
            "strict": None,
            "awaited": [{"name": "a"}],
        }
    )
    assert got.errors and [(e.message, e.path) for e in got.errors] == [
        (e.message, e.path) for e in expected.errors or []
    ]


def test_a_direct_resolver_gets_its_arguments_and_info() -> None:
    plain, hub = schemas()
    query = "{ things { shout loud: shout(timesOver: 3) } }"

    assert hub.execute_sync(query).data == plain.execute_sync(query).data
    assert hub.execute_sync(query).data["things"][0] == {"shout": "a!! shout", "loud": "a!!! shout"}


def test_fields_with_resolvers_their_nulls_and_errors_are_what_strawberry_answers() -> None:
    query = """query($times: Int!) {
      things {
        partner { name loud: shout(timesOver: $times) partner { name } }
        impostor { name }
        failing { name }
        later { name later { name } }
        partners { name }
        maybePartners { name }
        named
      }
      strict { name must { name } }
      withNull { later { laterFailing { name } } }
    }"""

    expected, got = answers(query, {"times": 4})

    assert got.data == expected.data
    assert got.data is not None
    assert got.data["things"][0]["partner"] == {"name": "a", "loud": "a!!!! shout", "partner": {"name": "a"}}
    assert got.data["things"][0]["later"] == {"name": "a", "later": {"name": "a"}}
    assert got.data["strict"] is None  # `must` broke a non-null field: null up to the nullable list
    assert got.data["withNull"] == [{"later": None}, None]
    # An object of another class is read by its attributes, as Strawberry reads it.
    assert got.data["things"][0]["maybePartners"] == [{"name": "a"}, None, {"name": "impostor"}]
    assert got.data["things"][0]["named"] == "a as named"
    assert got.errors and located_errors(got) == located_errors(expected)


def test_an_error_inside_a_list_a_resolver_returned_nulls_what_strawberry_nulls() -> None:
    expected, got = answers("{ things { name partnersWithBroken { name } } withNull { partners { name } } }")

    # BROKEN's null name broke its non-null item, then the non-null list, then the thing holding it.
    assert (
        got.data
        == expected.data
        == {"things": [None, None], "withNull": [{"partners": [{"name": "a"}] * 2}, None]}
    )
    assert got.errors and located_errors(got) == located_errors(expected)


def test_a_field_with_a_permission_keeps_strawberrys_resolver() -> None:
    _, hub = schemas()

    result = hub.execute_sync("{ things { secret } }")

    assert result.data == {"things": [None, None]}
    assert [e.message for e in result.errors or []] == ["never", "never"]


def test_objects_held_as_attributes_and_their_errors_are_what_strawberry_answers() -> None:
    expected, got = answers("{ pairs { first { name } second { name } both { name } } }")

    assert got.data == expected.data
    assert got.data == {
        "pairs": [
            {"first": {"name": "a"}, "second": None, "both": [{"name": "a"}] * 2},
            {"first": {"name": "a"}, "second": {"name": "impostor"}, "both": [{"name": "a"}]},
            None,  # a null first: a non-null field broken up to the nullable item
            None,  # BROKEN's null name: its non-null item, the non-null list, then the pair
        ]
    }
    assert got.errors and located_errors(got) == located_errors(expected)


def test_enum_members_serialize_to_their_graphql_names_and_other_values_as_strawberry_does() -> None:
    plain, _ = schemas()
    colour = plain._schema.type_map["Colour"]
    assert isinstance(colour, GraphQLEnumType)

    serialize = serializer(colour)

    assert [serialize(Colour.RED), serialize(Colour.GREEN)] == ["RED", "GREEN"]
    assert serialize("green") == colour.serialize("green") == "GREEN"
    with pytest.raises(Exception, match="blue"):
        serialize("blue")


def test_operations_of_one_document_share_its_plans_each_with_its_own_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = strawberry.Schema(query=Query)
    hub = strawberry.Schema(
        query=Query, execution_context_class=HubExecutionContext, extensions=[ParserCache]
    )
    call_resolvers_directly(hub)
    planned: list[str] = []

    def counting(field: Any, node: FieldNode) -> object:
        planned.append(node.name.value)
        return plain_field(field, node)

    monkeypatch.setattr(execution, "plain_field", counting)
    query = """query($times: Int!, $with: Boolean!) {
      things { name loud: shout(timesOver: $times) upper @include(if: $with) }
    }"""

    def both(times: int, with_upper: bool) -> tuple[Any, Any]:
        variables = {"times": times, "with": with_upper}
        return hub.execute_sync(query, variables).data, plain.execute_sync(query, variables).data

    first, expected_first = both(1, True)
    planned_once = len(planned)
    second, expected_second = both(3, True)

    assert first == expected_first and second == expected_second
    assert second["things"][0] == {"name": "a", "loud": "a!!! shout", "upper": "A"}
    assert planned_once and len(planned) == planned_once  # the same selection: planned once
    without, expected_without = both(2, False)
    assert without == expected_without and without["things"][0] == {"name": "a", "loud": "a!! shout"}
