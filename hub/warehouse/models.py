"""Every warehouse table, imported in one place so that metadata (and Alembic) sees them all
(the `stg_*` tables are generated from the canonical records when their module is imported)."""

from hub.db.base import Base
from hub.warehouse.access.models import AccessLogEntry
from hub.warehouse.cases.models import Case, CaseEvent, CaseLink, CaseParty
from hub.warehouse.divisions.models import Division
from hub.warehouse.grids.models import Grid, GridAddress, GridWorker
from hub.warehouse.households.models import Household, HouseholdMember, HouseholdRating, MoralPointEntry
from hub.warehouse.ingestion.models import QuarantinedRecord, RawRecord, SourceCursor
from hub.warehouse.persons.models import (
    Person,
    PersonBlockKey,
    PersonMatch,
    PersonMatchReview,
    PersonSource,
    UnresolvedMention,
)
from hub.warehouse.quality.models import DqFailure, DqReconciliation, DqResult, DqRun
from hub.warehouse.staging.tables import LAYOUTS as STAGING_LAYOUTS
from hub.warehouse.tags.models import PersonTag

metadata = Base.metadata

__all__ = [
    "STAGING_LAYOUTS",
    "AccessLogEntry",
    "Case",
    "CaseEvent",
    "CaseLink",
    "CaseParty",
    "Division",
    "DqFailure",
    "DqReconciliation",
    "DqResult",
    "DqRun",
    "Grid",
    "GridAddress",
    "GridWorker",
    "Household",
    "HouseholdMember",
    "HouseholdRating",
    "MoralPointEntry",
    "Person",
    "PersonBlockKey",
    "PersonMatch",
    "PersonMatchReview",
    "PersonSource",
    "PersonTag",
    "QuarantinedRecord",
    "RawRecord",
    "SourceCursor",
    "UnresolvedMention",
    "metadata",
]
