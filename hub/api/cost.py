"""The query cost budget (DESIGN §8): what an operation may ask for is estimated before it runs, and
an operation estimated above `COST_BUDGET` is refused with `QUERY_TOO_COMPLEX`.

Every field costs 1, and a field returning a list multiplies the cost of its selection by the number
of items it may return:

- `first` when given, as a literal or a variable (read from the request, else the variable's default,
  else the field's), counted at 1–100: the resolvers refuse other sizes with `BAD_USER_INPUT`, which
  says more than a cost would. A connection without `first` counts its default page, 20; it hands its
  page size to its `edges`, so `pageInfo` is counted once.
- `nodes(ids)`: one item per ID.
- Any other list, and a list inside one object without `first` (`Household.cases` is capped at 100, but
  a household holds a few): its expected fan-out in `FAN_OUT`, else `DEFAULT_FAN_OUT`. The fan-outs
  are generous against the golden county, where a household has 2.9 current members (at most 8),
  1.6 cases (at most 5) and, when it has any, 1.6 tags; a person 1.3 cases; a case 1.6 parties (at most
  6) and 2.6 events; a grid 4 micro-grids. Enumerations bound the statistics lists. An explicit
  `first` is taken at its word, so `cases(first: 100)` costs more than `cases`: the client asked for
  up to 100.

Fields are counted where they are written: an aliased copy of a field costs what the field costs
again, and so does a field repeated or spread twice, although GraphQL merges those; fragments on the
several types of an interface are all counted; `@skip` and `@include` are ignored. The estimate errs
high, never low. Introspection (`__schema`, `__type`) costs 1: it reads the schema in memory, and
production turns it off.

`COST_BUDGET` is 100,000. The examples (`hub.api.examples`, the README) cost at most 1,402 (the grid
dashboard); the benchmark's views (`bench/graphql.py`) 92 to 7,205 (100 households with members, tags
and cases), and the same page with every case's parties and their names 23,205; the household view
at `first: 100` costs 39,505. What the budget refuses is a list of 100 inside each item of a page of
100: `households(first: 100) { edges { node { members { person { cases(first: 100) { … parties {
person { name } } } } } } } }` costs 1,022,002.

A validation rule cannot see the request's variables (graphql-core 3.2's `ValidationContext` holds
the schema and the document only), so the budget is an extension checked just before execution,
which only a valid document reaches; the validation rules stay the same objects and `ValidationCache`
keeps hitting. The walk over the document is cached too: it yields a `Cost` in which only the
variable list sizes are left open, and each request fills them in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from graphql import (
    ConstValueNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

from hub.errors import HubError
from hub.warehouse.pagination import MAX_PAGE_SIZE

COST_BUDGET = 100_000
# Items a list without `first` is expected to hold, by "Type.field".
FAN_OUT: Mapping[str, int] = {
    "Household.members": 6,
    "Household.tags": 6,
    "Household.benefits": 3,
    "Household.cases": 10,
    "Household.timeline": 20,
    "Person.tags": 3,
    "Person.households": 2,
    "Person.cases": 5,
    "Person.sources": 5,
    "Case.parties": 5,
    "Case.links": 3,
    "Case.linkedCases": 3,
    "Case.events": 5,
    "Grid.path": 7,  # province, city, county, township, village, grid, micro-grid
    "Grid.workers": 3,
    "Grid.children": 20,
    "GridStatistics.tagsByKind": 10,  # one per TagKind
    "GridStatistics.casesByDepartment": 5,  # one per Department
}
DEFAULT_FAN_OUT = 10

_COMPOSITE = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)


class QueryTooComplex(HubError):
    """The operation's estimated cost is over the budget; it was not run."""

    code = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True)
class VariableSize:
    """A list size a variable gives: `first: $n`, or `ids: $ids` counted by its items."""

    name: str
    counts: Literal["value", "items"]
    fallback: int

    def value(self, variables: Mapping[str, Any]) -> int:
        """The size in this request, or the fallback (the default) when the variable does not give one:
        absent, null, or of a kind execution will refuse."""
        given = variables.get(self.name)
        if self.counts == "value" and isinstance(given, int) and not isinstance(given, bool):
            return _bounded(given)
        if self.counts == "items" and isinstance(given, list):
            return _bounded(len(given))
        if self.counts == "items" and isinstance(given, str):
            return 1  # one ID where a list is expected is coerced to a list of one
        return self.fallback


@dataclass(frozen=True, slots=True)
class Multiplied:
    """A cost with variable list sizes left open: `own + size × (fixed + the open parts)`."""

    own: int
    size: int | VariableSize
    fixed: int
    open: tuple[Multiplied, ...]


# What a field or an operation costs: a number, or an expression in the request's variables.
Cost = int | Multiplied


def evaluate(cost: Cost, variables: Mapping[str, Any]) -> int:
    """The cost with the request's variables filled in."""
    if isinstance(cost, int):
        return cost
    size = cost.size if isinstance(cost.size, int) else cost.size.value(variables)
    return cost.own + size * (cost.fixed + sum(evaluate(part, variables) for part in cost.open))


def estimate(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> Cost:
    """The cost of the operation `operation_name` names (or the only one) of a valid document."""
    operation = get_operation_ast(document, operation_name)
    assert operation is not None, "Strawberry found the operation before validating it"
    root = schema.get_root_type(operation.operation)
    assert root is not None, "validation checked the operation type"
    estimator = _Estimator(schema, document, operation)
    return _multiplied(0, 1, estimator.selection(operation.selection_set, root, None))


def _bounded(size: int) -> int:
    return min(max(size, 1), MAX_PAGE_SIZE)


def _multiplied(own: int, size: int | VariableSize, selection: list[Cost]) -> Cost:
    fixed = sum(part for part in selection if isinstance(part, int))
    open_ = tuple(part for part in selection if not isinstance(part, int))
    if isinstance(size, int) and not open_:
        return own + size * fixed
    return Multiplied(own, size, fixed, open_)


class _Estimator:
    """Walks one operation of a valid document (validation guarantees every name resolves)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode):
        self.schema = schema
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.variable_defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions
        }

    def selection(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLCompositeType,
        page_size: int | VariableSize | None,
    ) -> list[Cost]:
        """The costs of a selection's fields; `page_size` is that of the connection it selects from."""
        costs: list[Cost] = []
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                costs.append(self.field(node, parent, page_size))
            elif isinstance(node, InlineFragmentNode):
                on = self._type(node.type_condition) if node.type_condition else parent
                costs.extend(self.selection(node.selection_set, on, page_size))
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                costs.extend(
                    self.selection(fragment.selection_set, self._type(fragment.type_condition), page_size)
                )
        return costs

    def field(
        self, node: FieldNode, parent: GraphQLCompositeType, page_size: int | VariableSize | None
    ) -> Cost:
        """1, plus the field's selection times the number of items it may return."""
        name = node.name.value
        if node.selection_set is None or name.startswith("__"):
            return 1
        assert not isinstance(parent, GraphQLUnionType), "a union's only field is __typename"
        definition = parent.fields[name]
        returns = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        child = get_named_type(returns)
        assert isinstance(child, _COMPOSITE), "only composite fields have a selection"
        arguments = {argument.name.value: argument.value for argument in node.arguments}
        if not isinstance(returns, GraphQLList):
            # A connection is no list itself: it hands its page size to its `edges`.
            page = self._first(arguments, definition) if "first" in definition.args else None
            return _multiplied(1, 1, self.selection(node.selection_set, child, page))
        size: int | VariableSize
        if "first" in arguments:
            size = self._first(arguments, definition)
        elif "ids" in arguments:
            size = self._argument(arguments["ids"], "items", MAX_PAGE_SIZE)
        elif page_size is not None:
            size = page_size
        else:
            # The cap of a list inside one object (`cases`: 100) is far above what one object holds.
            size = FAN_OUT.get(f"{parent.name}.{name}", DEFAULT_FAN_OUT)
        return _multiplied(1, size, self.selection(node.selection_set, child, None))

    def _first(self, arguments: Mapping[str, ValueNode], definition: GraphQLField) -> int | VariableSize:
        """The page `first` asks for, else the field's default: what execution will use."""
        default = definition.args["first"].default_value
        fallback = _bounded(default) if isinstance(default, int) else MAX_PAGE_SIZE
        return self._argument(arguments.get("first"), "value", fallback)

    def _argument(
        self, value: ValueNode | None, counts: Literal["value", "items"], fallback: int
    ) -> int | VariableSize:
        if not isinstance(value, VariableNode):
            return _literal(value, counts, fallback)
        name = value.name.value
        return VariableSize(name, counts, _literal(self.variable_defaults.get(name), counts, fallback))

    def _type(self, condition: NamedTypeNode) -> GraphQLCompositeType:
        type_ = self.schema.get_type(condition.name.value)
        assert isinstance(type_, _COMPOSITE), "validation checked the type condition"
        return type_


def _literal(
    value: ValueNode | ConstValueNode | None, counts: Literal["value", "items"], fallback: int
) -> int:
    """The size a literal argument (or a variable's default) asks for; `fallback` when it gives none."""
    if isinstance(value, IntValueNode):
        return _bounded(int(value.value))
    if isinstance(value, ListValueNode):
        return _bounded(len(value.values))
    if value is not None and counts == "items":
        return 1  # one ID where a list is expected is coerced to a list of one
    return fallback


@cache
def _cached_estimate(maxsize: int) -> Callable[[GraphQLSchema, DocumentNode, str | None], Cost]:
    # One cache per size, shared by every request's extension (as Strawberry's ValidationCache does);
    # the parser cache hands back the same document object, whose hash graphql-core keeps.
    return lru_cache(maxsize=maxsize)(estimate)


class CostBudget(SchemaExtension):
    """Refuses an operation estimated to cost more than `budget`, after validation, before execution."""

    def __init__(self, *, budget: int, cache_size: int) -> None:
        self.budget = budget
        self.estimate = _cached_estimate(cache_size)

    def on_execute(self) -> Iterator[None]:
        """Before execution, which only a valid document reaches: an operation over the budget gets its
        refusal as its result, and Strawberry does not run it."""
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and execution.result is None:
            cost = evaluate(
                self.estimate(execution.schema._schema, document, execution.operation_name),
                execution.variables or {},
            )
            if cost > self.budget:
                error = _too_complex(cost, self.budget, document, execution.operation_name)
                execution.result = ExecutionResult(data=None, errors=[error])
        yield


def _too_complex(cost: int, budget: int, document: DocumentNode, operation_name: str | None) -> GraphQLError:
    """The error an operation over the budget is refused with, at the operation it names."""
    error = QueryTooComplex(
        f"query cost {cost:,} exceeds the budget of {budget:,}; ask for fewer items per page or fewer "
        "nested lists"
    )
    operation = get_operation_ast(document, operation_name)
    return GraphQLError(
        str(error), nodes=operation, original_error=error, extensions={"cost": cost, "budget": budget}
    )
