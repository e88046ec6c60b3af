"""公安 public security: the household register and police incidents/cases."""

from hub.sources.canonical import Department
from hub.sources.public_security import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.households.loading import load_households
from pipelines.assets.common import incremental_source
from pipelines.assets.registry import grid_registry
from pipelines.ingest import Stream

HOUSEHOLDS = Stream(
    Department.PUBLIC_SECURITY,
    "households",
    records.household_id,
    mapping.map_household,
    load_households,
    changed_at=records.changed_at,
    payload_type=records.HouseholdPayload,
)
INCIDENTS = Stream(
    Department.PUBLIC_SECURITY,
    "incidents",
    records.incident_id,
    mapping.map_incident,
    load_cases,
    changed_at=records.changed_at,
    payload_type=records.IncidentPayload,
)


public_security_households = incremental_source(
    name="public_security_households",
    stream=HOUSEHOLDS,
    resource="public_security",
    fetch=lambda client, since: client.iter_households(updated_since=since),
    description="Households, members and persons from the household register (户籍), placed in grids.",
    deps=[grid_registry],
    critical_path=True,
)
public_security_incidents = incremental_source(
    name="public_security_incidents",
    stream=INCIDENTS,
    resource="public_security",
    fetch=lambda client, since: client.iter_incidents(updated_since=since),
    description="Police incidents (警情) and public-order/criminal cases, with their parties.",
    deps=[grid_registry, public_security_households],
    critical_path=True,
)
