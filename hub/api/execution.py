"""Executing an operation with plain fields read straight off their objects.

Most fields of a response are plain: a scalar or enum attribute of the object built from a service
row (`hhNo`, `relation`, `caseNo` …), with no resolver, argument or field extension. graphql-core
completes each one like any field, with a path, a resolve-info object, argument coercion, the
resolver Strawberry wraps around the attribute, and a walk down its type's wrappers. On the
benchmark's page of 100 households (1,895 fields, 1,233 of them plain), reading them directly took
the request from 27 to 23.6 ms (in-process, PostgreSQL).

`HubExecutionContext` plans each selection set: which of its fields are plain, with their reading
and their type's `serialize`. The plan is kept for every operation of the same document (the
parser cache gives them the same nodes), with each operation's own arguments added. For a plain
field it reads the value and
serializes it; anything unusual (a null, a value the type refuses, an error) goes to graphql-core's
own path, which reports it exactly as before. A method taking nothing but `self` is read the same
way, so that a value derived from a row (a code's Chinese label) is computed only when a query asks
for it: building a `Person` without its two labels takes 1.6 µs instead of 2.3.

A list a resolver returns, of objects of the item type's own class, goes straight to
`execute_fields` item by item, as `complete_list_value` below does for graphql-core's own lists
(measured with the loaders' plain key look-up, `hub.api.loaders`: 6.7 % less CPU on the page).

A field with a resolver (`members`, `person` …) is planned too: graphql-core looks its definition up
and coerces its arguments again for every object, although both are the same for every object of
a selection (the arguments hold literals and the operation's variables). The plan keeps them, and
an object the resolver returns of the field's own class is executed at once; anything else (a
null, a list, an awaitable, an error) is completed by graphql-core. On the 100-household page at
1,000,000 persons: 11.8 → 10.8 ms of CPU in-process.

Such a field's resolver is Strawberry's wrapper, which converts arguments, builds the chain of
field extensions and then calls the method: a tenth of the same page's time in the profile, half
as much as the methods themselves. `call_resolvers_directly`
gives the fields that need none of it (no field extension or permission, no argument but plain
`int`/`str`/`bool`/`float` ones, which Strawberry passes through unchanged) a resolver that calls
the method with its `Info` at once.

A list of objects (a household's members, tags, cases …) goes through graphql-core's generic
completion item by item: the non-null wrapper, the list, the object, its sub-selection looked up
again for each. `complete_list_value` sends a list whose items are all instances of the item type's
own class straight to `execute_fields` (measured on the page of 100 households: 7.5 % fewer Python
calls per request, 108,800 → 100,700).
"""

from __future__ import annotations

import functools
import operator
from asyncio import gather
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    located_error,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

# Argument types Strawberry hands to a resolver exactly as graphql-core coerced them.
_UNCONVERTED_ARGUMENTS = (int, str, bool, float)


@dataclass(frozen=True, slots=True)
class PlainField:
    """How a plain field's value is read off its object, and serialized."""

    read: Callable[[Any], object]
    serialize: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class ResolvedField:
    """A field with a resolver, as executed for every object of one selection: its definition, its
    arguments (the same for every object: they hold literals and the operation's variables), and, when
    it returns an object, that object's type and the class the type's values are built from."""

    definition: GraphQLField
    arguments: dict[str, Any]
    object_type: GraphQLObjectType | None
    origin: type | None
    object_list: ObjectList | None
    # For an attribute (Strawberry's basic field, `edges`, `node` …): its reading, without an `Info`.
    read: Callable[[Any], object] | None = None


@dataclass(frozen=True, slots=True)
class ObjectList:
    """A list type whose items are objects built from one class: the item type as declared (maybe
    non-null), the object type, and that class."""

    item_type: GraphQLOutputType
    object_type: GraphQLObjectType
    origin: type


@dataclass(frozen=True, slots=True)
class _Step:
    response_name: str
    field_nodes: list[FieldNode]
    plain: PlainField | None
    resolved: ResolvedField | None


def plain_field(field: GraphQLField | None, node: FieldNode) -> PlainField | None:
    """The field's reading when it is plain, None otherwise.

    Plain: of a scalar or enum type, without arguments or field extension, and either Strawberry's
    basic field (an attribute) or a method taking nothing but `self` (a label derived from a code,
    computed only when asked for). Such a method must be pure: when it fails or returns null,
    graphql-core calls it again and reports the outcome as it always has.
    """
    if field is None or field.args or node.arguments:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    leaf = get_nullable_type(field.type)  # type: ignore[arg-type]
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    if definition.is_basic_field:
        read = _attribute_read(field)
        return PlainField(read=read, serialize=serializer(leaf)) if read is not None else None
    method = _self_only_method(definition)
    return PlainField(read=method, serialize=serializer(leaf)) if method is not None else None


@functools.cache
def serializer(leaf: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    """The leaf type's `serialize`; for an enum of Python members, a look-up of each member's name.

    Strawberry's enum serialization walks the enum's values, reading each one's `.value` (a property
    of `Enum`), on every call: a case's status walks seven. Values that are not members are left to
    the type's own `serialize`.
    """
    members = getattr(leaf, "wrapped_cls", None)
    if not isinstance(leaf, GraphQLEnumType) or not (isinstance(members, type) and issubclass(members, Enum)):
        return leaf.serialize
    names = {
        member: name
        for member in members
        for name, value in leaf.values.items()
        if value.value == member.value
    }
    serialize = leaf.serialize

    def serialize_member(value: Any) -> Any:
        name = names.get(value) if type(value) is members else None
        return name if name is not None else serialize(value)

    return serialize_member


def _attribute_read(field: GraphQLField) -> Callable[[Any], object] | None:
    """How an attribute field (Strawberry's basic field with its default resolver and no field
    extension) is read off its object; None for any other field."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.extensions or not definition.is_basic_field:
        return None
    if field.args or not getattr(field.resolve, "_is_default", False):
        return None
    return _attribute_reader(definition)


def _attribute_reader(definition: StrawberryField) -> Callable[[Any], object]:
    name, default_resolver = definition.python_name, definition.default_resolver
    if default_resolver is getattr:
        return operator.attrgetter(name)
    return lambda source: default_resolver(source, name)


def _self_only_method(definition: StrawberryField) -> Callable[[Any], object] | None:
    """The field's resolver when it is a synchronous method of `self` alone."""
    resolver = definition.base_resolver
    if resolver is None or resolver.is_async or resolver.arguments or resolver.self_parameter is None:
        return None
    if resolver.info_parameter or resolver.parent_parameter or resolver.root_parameter:
        return None
    method = resolver.wrapped_func
    return method if callable(method) else None


# Selections' plans shared by operations (`HubExecutionContext._shared_plan`): a document's few
# dozen selections, for as many documents as the parser cache keeps, and more.
SHARED_PLANS_KEPT = 4096
_SHARED_PLANS: dict[tuple[Any, ...], tuple[dict[str, list[FieldNode]], list[_Step]]] = {}


@functools.cache
def _object_list(schema: GraphQLSchema, list_type: GraphQLList[GraphQLOutputType]) -> ObjectList | None:
    """What a list of `list_type` holds when its items are objects of one class; None otherwise.

    Kept per list type: graphql-core's `get_nullable_type` evaluates a typing expression at every call.
    """
    item_type = list_type.of_type
    object_type = get_nullable_type(item_type)  # type: ignore[arg-type]
    origin = _origins(schema).get(object_type.name) if isinstance(object_type, GraphQLObjectType) else None
    return ObjectList(item_type, object_type, origin) if origin is not None else None  # type: ignore[arg-type]


@functools.cache
def _origins(schema: GraphQLSchema) -> dict[str, type]:
    """The Python class of each of the schema's Strawberry object types, by type name."""
    found: dict[str, type] = {}
    for name, graphql_type in schema.type_map.items():
        definition = (graphql_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if isinstance(graphql_type, GraphQLObjectType) and isinstance(definition, StrawberryObjectDefinition):
            found[name] = definition.origin
    return found


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
        self._origins = _origins(self.schema)

    def _plan(self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]) -> list[_Step]:
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        steps = [self._with_arguments(step) for step in self._shared_plan(parent_type, fields)]
        self._plans[id(fields)] = (fields, steps)
        return steps

    def _shared_plan(self, parent_type: GraphQLObjectType, fields: dict[str, list[FieldNode]]) -> list[_Step]:
        """The selection's steps as every operation of its document takes them, arguments aside.

        Strawberry's parser cache hands every request of a document the same nodes, so the plan is
        kept by the nodes' identities (the plan holds the nodes, which keeps those identities theirs):
        the case view has a dozen selections of a few objects each, and planning them was a tenth
        of its time.
        """
        if not self._plain_allowed:
            return [_Step(name, nodes, None, None) for name, nodes in fields.items()]
        key = (parent_type, *((name, *map(id, nodes)) for name, nodes in fields.items()))
        shared = _SHARED_PLANS.get(key)
        if shared is not None:
            return shared[1]
        steps: list[_Step] = []
        for response_name, nodes in fields.items():
            field = parent_type.fields.get(nodes[0].name.value)
            plain = plain_field(field, nodes[0])
            resolved = self._resolved_field(field) if plain is None else None
            steps.append(_Step(response_name, nodes, plain, resolved))
        if len(_SHARED_PLANS) >= SHARED_PLANS_KEPT:
            _SHARED_PLANS.clear()
        _SHARED_PLANS[key] = (fields, steps)
        return steps

    def _with_arguments(self, step: _Step) -> _Step:
        """The step with its field's arguments for this operation (they may hold its variables);
        without a resolved field when graphql-core rejects them, which it then reports for each
        object as it always has."""
        resolved = step.resolved
        if resolved is None or not resolved.definition.args:
            return step
        try:
            arguments = get_argument_values(resolved.definition, step.field_nodes[0], self.variable_values)
        except Exception:  # graphql-core's path reports it
            return replace(step, resolved=None)
        return replace(step, resolved=replace(resolved, arguments=arguments))

    def _resolved_field(self, field: GraphQLField | None) -> ResolvedField | None:
        """How a field with a resolver is executed here, before its arguments (`_with_arguments`);
        None leaves it to graphql-core (an unknown field, or one without a resolver of its own)."""
        if field is None or field.resolve is None:
            return None
        read = _attribute_read(field)
        object_type = get_nullable_type(field.type)  # type: ignore[arg-type]
        if isinstance(object_type, GraphQLList):
            return ResolvedField(field, {}, None, None, _object_list(self.schema, object_type), read)
        if not isinstance(object_type, GraphQLObjectType):
            return ResolvedField(field, {}, None, None, None, read)
        origin = self._origins.get(object_type.name)
        return ResolvedField(field, {}, object_type, origin, None, read)

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
                try:
                    value = plain.read(source_value)
                except Exception:  # graphql-core's path below reports it, as it always has
                    value = None
                if value is not None:
                    try:
                        serialized = plain.serialize(value)
                    except Exception:  # graphql-core's path below reports it, as it always has
                        serialized = None
                    if serialized is not None and serialized is not Undefined:
                        results[step.response_name] = serialized
                        continue
            field_path = Path(path, step.response_name, parent_type.name)
            if step.resolved is not None:
                result = self._execute_resolved(parent_type, source_value, step, field_path)
            else:
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

    def _execute_resolved(
        self, parent_type: GraphQLObjectType, source: Any, step: _Step, path: Path
    ) -> AwaitableOrValue[Any]:
        """graphql-core's `execute_field`, with the field's definition and arguments from the plan,
        and an object of the field's own type executed at once."""
        resolved = step.resolved
        assert resolved is not None
        definition = resolved.definition
        try:
            if resolved.read is not None:
                info = None
                result = resolved.read(source)
            else:
                info = self.build_resolve_info(definition, step.field_nodes, parent_type, path)
                result = definition.resolve(source, info, **resolved.arguments)  # type: ignore[misc]
                if self.is_awaitable(result):
                    return self._completed_after(step, parent_type, info, path, result)
            completed = self._complete_resolved(step, parent_type, info, path, result)
            if self.is_awaitable(completed):
                return self._awaited(completed, step.field_nodes, definition.type, path)
            return completed
        except Exception as raw_error:
            self._failed(raw_error, step.field_nodes, definition.type, path)
            return None

    def _complete_resolved(
        self,
        step: _Step,
        parent_type: GraphQLObjectType,
        info: GraphQLResolveInfo | None,
        path: Path,
        result: Any,
    ) -> AwaitableOrValue[Any]:
        """The field's value completed: an object or a list of objects of the type's own class at once,
        anything else by graphql-core (with the field's resolve info, built now if it was read
        without one)."""
        resolved = step.resolved
        assert resolved is not None
        # Exactly the type's own class: neither null nor awaitable, and of the type (`is_type_of`).
        if resolved.origin is not None and type(result) is resolved.origin:
            object_type = resolved.object_type
            assert object_type is not None
            fields = self.collect_subfields(object_type, step.field_nodes)
            return self.execute_fields(object_type, result, path, fields)
        if resolved.object_list is not None and type(result) is list:
            completed = self._complete_objects(resolved.object_list, step.field_nodes, path, result)
            if completed is not None:
                return completed
        if info is None:
            info = self.build_resolve_info(resolved.definition, step.field_nodes, parent_type, path)
        return self.complete_value(resolved.definition.type, step.field_nodes, info, path, result)

    async def _completed_after(
        self,
        step: _Step,
        parent_type: GraphQLObjectType,
        info: GraphQLResolveInfo,
        path: Path,
        result: Awaitable[Any],
    ) -> Any:
        try:
            completed = self._complete_resolved(step, parent_type, info, path, await result)
            if self.is_awaitable(completed):
                return await completed
            return completed
        except Exception as raw_error:
            assert step.resolved is not None
            self._failed(raw_error, step.field_nodes, step.resolved.definition.type, path)
            return None

    async def _awaited(
        self, value: Awaitable[Any], field_nodes: list[FieldNode], return_type: GraphQLOutputType, path: Path
    ) -> Any:
        """`value` awaited; an error becomes the field's, located at `path`, as graphql-core does."""
        try:
            return await value
        except Exception as raw_error:
            self._failed(raw_error, field_nodes, return_type, path)
            return None

    def _failed(
        self, raw_error: Exception, field_nodes: list[FieldNode], return_type: GraphQLOutputType, path: Path
    ) -> None:
        """Report an error of the field at `path` (null in its place, or up to a nullable parent)."""
        self.handle_field_error(located_error(raw_error, field_nodes, path.as_list()), return_type, path)

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> AwaitableOrValue[list[Any]]:
        """Complete a list of objects by executing each one's fields at once.

        graphql-core completes each item through its generic dispatch (the non-null wrapper, the
        list, the object, its sub-selection looked up again); a list whose items are all objects of
        the item type goes straight to `execute_fields`. Anything else (nulls, awaitables, values of
        another type) is completed by graphql-core, which reports it as it always has.
        """
        if type(result) is list and (object_list := _object_list(self.schema, return_type)) is not None:
            completed = self._complete_objects(object_list, field_nodes, path, result)
            if completed is not None:
                return completed
        return super().complete_list_value(return_type, field_nodes, info, path, result)

    def _complete_objects(
        self, object_list: ObjectList, field_nodes: list[FieldNode], path: Path, result: list[Any]
    ) -> AwaitableOrValue[list[Any]] | None:
        """The list's items executed at once when all are objects of its item class; else None."""
        # Exactly the type's own class: neither null nor awaitable, and of the type (`is_type_of`).
        origin = object_list.origin
        if not all(type(item) is origin for item in result):
            return None
        object_type, item_type = object_list.object_type, object_list.item_type
        fields = self.collect_subfields(object_type, field_nodes)
        completed: list[Any] = []
        awaitable: list[int] = []
        for index, item in enumerate(result):
            item_path = Path(path, index, None)
            try:
                value: Any = self.execute_fields(object_type, item, item_path, fields)
            except Exception as raw_error:
                self._failed(raw_error, field_nodes, item_type, item_path)
                value = None
            else:
                if self.is_awaitable(value):
                    value = self._awaited(value, field_nodes, item_type, item_path)
                    awaitable.append(index)
            completed.append(value)
        if not awaitable:
            return completed
        return self._gathered_items(completed, awaitable)

    async def _gathered_items(self, completed: list[Any], awaitable: list[int]) -> list[Any]:
        for index, value in zip(awaitable, await gather(*(completed[i] for i in awaitable)), strict=True):
            completed[index] = value
        return completed


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
    if not names and info_name is not None:
        # The common case (`members`, `person` …): `Info` is then the only parameter after `self`.
        def resolve_with_info(source: Any, info: GraphQLResolveInfo) -> object:
            return method(source, make_info(info, field))

        return resolve_with_info

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
