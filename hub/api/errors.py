"""Every error leaves the API with an `extensions.code` (DESIGN §7).

The hub's own errors carry their code; anything else is an internal error, and in production its
message is replaced so that no stack detail or SQL reaches a client.
"""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from hub.errors import HubError

INTERNAL_MESSAGE = "Internal server error"
_TOKEN_LIMIT = "tokens. Parsing aborted"


def error_code(error: GraphQLError) -> str:
    """The code an error is reported with: the hub error's own, validation errors as bad input."""
    original = error.original_error
    if isinstance(original, HubError):
        return original.code
    if isinstance(error, GraphQLSyntaxError):
        # graphql-core's token limit aborts parsing with a syntax error of its own wording.
        return "QUERY_TOO_COMPLEX" if _TOKEN_LIMIT in error.message else "GRAPHQL_PARSE_FAILED"
    if original is None:
        # No underlying exception: the query failed parsing or validation against the schema.
        return "GRAPHQL_VALIDATION_FAILED"
    return "INTERNAL_SERVER_ERROR"


class ErrorCodes(SchemaExtension):
    """Sets `extensions.code` on every error, and masks internal ones when `mask_internal`."""

    mask_internal = False

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if not result or not result.errors:
            return
        coded = []
        for error in result.errors:
            code = error_code(error)
            extensions = {**(error.extensions or {}), "code": code}
            message = (
                INTERNAL_MESSAGE if code == "INTERNAL_SERVER_ERROR" and self.mask_internal else error.message
            )
            coded.append(
                GraphQLError(
                    message,
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                    original_error=error.original_error,
                    extensions=extensions,
                )
            )
        result.errors = coded


class MaskedErrorCodes(ErrorCodes):
    mask_internal = True


class CodedSchema(strawberry.Schema):
    """A schema that codes errors raised before an operation runs (a document over the token
    limit aborts parsing inside an extension), which never reach `ErrorCodes`."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the errors as Strawberry does, after giving each uncoded one its code."""
        for error in errors:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": error_code(error)}
        super().process_errors(errors, execution_context)
