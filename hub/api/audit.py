"""The access audit (DESIGN §8): every operation that returned a person is logged before it answers.

Types call `note_person_read` whenever they build a `Person`; this extension then appends one access
log row per person in a single statement. When the log cannot be written the answer is withheld:
personal data is never returned unaudited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

from graphql import GraphQLError
from sqlalchemy.exc import SQLAlchemyError
from strawberry.extensions import SchemaExtension

from hub.api.context import HubContext, Info
from hub.api.masking import sees_unmasked
from hub.errors import HubError
from hub.warehouse.access.service import AccessRecord, record_access


class AccessNotAudited(HubError):
    """The access log could not be written, so the personal data read is not returned."""


def note_person_read(info: Info, person_id: int) -> None:
    info.context.accessed_persons.add(person_id)


class AccessAudit(SchemaExtension):
    """Logs the persons an operation returned before the answer leaves."""

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, HubContext) or not context.accessed_persons or execution.result is None:
            return
        record = AccessRecord(
            viewer=context.viewer,
            operation=execution.operation_name or "anonymous",
            query_digest=hashlib.sha256((execution.query or "").encode()).hexdigest(),
            unmasked=sees_unmasked(context.viewer),
            at=dt.datetime.now(dt.UTC),
        )
        persons = frozenset(context.accessed_persons)

        # The operation's own session: its reads' transaction commits with the log (one round trip
        # instead of a checkout of its own).
        try:
            session = context.database.get()
            record_access(session=session, record=record, person_ids=persons)
            session.commit()
        except SQLAlchemyError as error:
            failure = AccessNotAudited("the access log could not be written; no personal data is returned")
            failure.__cause__ = error
            execution.result.data = None
            execution.result.errors = [GraphQLError(str(failure), original_error=failure)]
