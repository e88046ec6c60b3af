"""民政 civil affairs: benefits (tags), assistance applications (cases), household ratings and points."""

from hub.sources.canonical import Department
from hub.sources.civil_affairs import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.households.loading import load_household_ratings, load_moral_points
from hub.warehouse.tags.loading import load_tags
from pipelines.assets.common import incremental_source
from pipelines.assets.public_security import public_security_households
from pipelines.assets.registry import grid_registry
from pipelines.ingest import Stream

BENEFITS = Stream(
    Department.CIVIL_AFFAIRS,
    "benefits",
    records.benefit_id,
    mapping.map_benefit,
    load_tags,
    changed_at=records.changed_at,
    payload_type=records.BenefitRow,
)
ASSISTANCE = Stream(
    Department.CIVIL_AFFAIRS,
    "assistance",
    records.assistance_id,
    mapping.map_assistance,
    load_cases,
    changed_at=records.changed_at,
    payload_type=records.AssistanceRow,
)

HOUSEHOLD_RATINGS = Stream(
    Department.CIVIL_AFFAIRS,
    "household_ratings",
    records.rating_id,
    mapping.map_rating,
    load_household_ratings,
    changed_at=records.changed_at,
    payload_type=records.HouseholdRatingRow,
)
MORAL_POINTS = Stream(
    Department.CIVIL_AFFAIRS,
    "moral_points",
    records.moral_point_id,
    mapping.map_moral_point,
    load_moral_points,
    changed_at=records.changed_at,
    payload_type=records.MoralPointRow,
)


civil_affairs_benefits = incremental_source(
    name="civil_affairs_benefits",
    stream=BENEFITS,
    resource="civil_affairs",
    # The export filters by whole days (更新日期).
    fetch=lambda client, since: client.iter_benefits(changed_since=since.date() if since else None),
    description="低保, 特困, disability and left-behind registrations as person tags.",
    deps=[grid_registry, public_security_households],
)
civil_affairs_assistance = incremental_source(
    name="civil_affairs_assistance",
    stream=ASSISTANCE,
    resource="civil_affairs",
    fetch=lambda client, since: client.iter_assistance(changed_since=since.date() if since else None),
    description="Temporary-assistance applications as cases of kind `assistance`.",
    deps=[grid_registry, public_security_households],
)
civil_affairs_household_ratings = incremental_source(
    name="civil_affairs_household_ratings",
    stream=HOUSEHOLD_RATINGS,
    resource="civil_affairs",
    fetch=lambda client, since: client.iter_household_ratings(changed_since=since.date() if since else None),
    description="十星级文明户: each household's stars (0–10) per year assessed, by its village committee.",
    # No publish before it: a household is registered once the register's read has landed it, and
    # every read lands before the staging gate lets anything publish. So it runs beside the register's
    # publish, the longest of a first load.
)
civil_affairs_moral_points = incremental_source(
    name="civil_affairs_moral_points",
    stream=MORAL_POINTS,
    resource="civil_affairs",
    fetch=lambda client, since: client.iter_moral_points(changed_since=since.date() if since else None),
    description="道德银行: points households earned, spent or lost, with the balance after each entry.",
    # As the ratings: the register's landing is enough.
)
