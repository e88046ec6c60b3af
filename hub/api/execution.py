"""Executing an operation with plain fields read straight off their objects.

Most fields of a response are plain: a scalar or enum attribute of the object built from a service
row (`hhNo`, `relation`, `caseNo` …), with no resolver, argument or field extension. graphql-core
completes each one like any field, with a path, a resolve-info object, argument coercion, the
resolver Strawberry wraps around the attribute, and a walk down its type's wrappers. On the
benchmark's page of 100 households (1,895 fields, 1,233 of them plain), reading them directly took
the request from 27 to 23.6 ms (in-process, PostgreSQL).

`HubExecutionContext` plans each selection set once per operation: which of its fields are plain,
with their attribute and their type's `serialize`. For a plain field it reads the attribute and
serializes it; anything unusual (a null, a value the type refuses, an error) goes to graphql-core's
own path, which reports it exactly as before. Every other field is executed by graphql-core.

Fields with a resolver of their own (`members`, `person` …) pass through Strawberry's wrapper, which
converts arguments, builds the chain of field extensions and then calls the method: a tenth of the
same page's time in the profile, half as much as the methods themselves. `call_resolvers_directly`
gives the fields that need none of it (no field extension or permission, no argument but plain
`int`/`str`/`bool`/`float` ones, which Strawberry passes through unchanged) a resolver that calls
the method with its `Info` at once.
"""

from __future__ import annotations

from asyncio import gather
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
)
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Argument types Strawberry hands to a resolver exactly as graphql-core coerced them.
_UNCONVERTED_ARGUMENTS = (int, str, bool, float)


@dataclass(frozen=True, slots=True)
class PlainField:
    """How a plain field's value is read and serialized."""

    read: Callable[[Any, str], object]
    attribute: str
    serialize: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Step:
    response_name: str
    field_nodes: list[FieldNode]
    plain: PlainField | None


def plain_field(field: GraphQLField | None, node: FieldNode) -> PlainField | None:
    """The field's reading when it is plain: Strawberry's basic field (no resolver, no field
    extension), without arguments, of a scalar or enum type; None otherwise."""
    if field is None or field.args or node.arguments:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if not getattr(field.resolve, "_is_default", False):
        return None
    leaf = get_nullable_type(field.type)  # type: ignore[arg-type]
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    return PlainField(
        read=definition.default_resolver, attribute=definition.python_name, serialize=leaf.serialize
    )


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with plain fields completed directly (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # A field middleware must see every field, plain or not.
        self._plain_allowed = not (middleware and middleware.middlewares)
        # Keyed by the identity of a selection's field map, which graphql-core builds once per
        # selection and type and keeps for the operation (`collect_subfields`'s cache).
        self._plans: dict[int, tuple[dict[str, list[FieldNode]], list[_Step]]] = {}

    def _plan(self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]) -> list[_Step]:
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        steps = [
            _Step(
                response_name,
                nodes,
                plain_field(parent_type.fields.get(nodes[0].name.value), nodes[0])
                if self._plain_allowed
                else None,
            )
            for response_name, nodes in fields.items()
        ]
        self._plans[id(fields)] = (fields, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> AwaitableOrValue[dict[str, Any]]:
        """Execute the fields of one object: plain ones at once, the others as graphql-core does."""
        results: dict[str, Any] = {}
        awaitable: list[str] = []
        is_awaitable = self.is_awaitable
        for step in self._plan(parent_type, fields):
            plain = step.plain
            if plain is not None:
                value = plain.read(source_value, plain.attribute)
                if value is not None:
                    try:
                        serialized = plain.serialize(value)
                    except Exception:  # graphql-core's path below reports it, as it always has
                        serialized = None
                    if serialized is not None and serialized is not Undefined:
                        results[step.response_name] = serialized
                        continue
            field_path = Path(path, step.response_name, parent_type.name)
            result = self.execute_field(parent_type, source_value, step.field_nodes, field_path)
            if result is Undefined:
                continue
            results[step.response_name] = result
            if is_awaitable(result):
                awaitable.append(step.response_name)
        if not awaitable:
            return results
        return self._gathered(results, awaitable)

    async def _gathered(self, results: dict[str, Any], awaitable: list[str]) -> dict[str, Any]:
        results.update(zip(awaitable, await gather(*(results[name] for name in awaitable)), strict=True))
        return results


def direct_resolver(field: StrawberryField, *, schema: strawberry.Schema) -> Callable[..., object] | None:
    """A resolver calling `field`'s method at once, or None when Strawberry's wrapper has work to do.

    The method is called as Strawberry calls it: the object as `self`, the arguments by their Python
    names, and `Info` under the name of the parameter that asks for it.
    """
    resolver = field.base_resolver
    if resolver is None or field.extensions or schema.exception_handlers:
        return None
    if resolver.self_parameter is None or resolver.parent_parameter or resolver.root_parameter:
        return None
    names: dict[str, str] = {}
    for argument in field.arguments:
        if argument.type not in _UNCONVERTED_ARGUMENTS:
            return None
        names[schema.config.name_converter.from_argument(argument)] = argument.python_name
    method = resolver.wrapped_func
    if not callable(method):
        return None  # Strawberry's own resolver reports it
    make_info: Callable[..., object] = schema.config.info_class
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> object:
        keywords = {names[name]: value for name, value in arguments.items()}
        if info_name is not None:
            keywords[info_name] = make_info(_raw_info=info, _field=field)
        return method(source, **keywords)

    return resolve


def call_resolvers_directly(schema: strawberry.Schema) -> None:
    """Give every field that can have one a `direct_resolver` (see the module's docstring)."""
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            definition = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if isinstance(definition, StrawberryField):
                resolve = direct_resolver(definition, schema=schema)
                if resolve is not None:
                    graphql_field.resolve = resolve
