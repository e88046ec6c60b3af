"""Entity resolution across departments, once every source is loaded."""

from dagster import AssetExecutionContext, Config, MaterializeResult, asset
from pydantic import Field

from hub.db.engine import transaction
from hub.warehouse.persons.resolution import resolve_warehouse_persons
from hub.warehouse.provenance import LoadRun
from pipelines.assets.civil_affairs import civil_affairs_assistance, civil_affairs_benefits
from pipelines.assets.justice import justice_correction_subjects, justice_mediation_cases
from pipelines.assets.petitions import petitions_feed
from pipelines.assets.public_security import public_security_households, public_security_incidents
from pipelines.resources import WarehouseResource


class ResolutionConfig(Config):
    full: bool = Field(default=False, description="Weigh every mention again, not only what changed")


@asset(
    group_name="persons",
    deps=[
        public_security_households.publish,
        public_security_incidents.publish,
        civil_affairs_benefits.publish,
        civil_affairs_assistance.publish,
        justice_mediation_cases.publish,
        justice_correction_subjects.publish,
        petitions_feed.publish,
    ],
)
def person_resolution(
    context: AssetExecutionContext, config: ResolutionConfig, warehouse: WarehouseResource
) -> MaterializeResult[None]:
    """Merge the persons that tiered matching finds to be one; queue the uncertain pairs for review.

    Weighs the mentions the loads changed since the last pass and their neighbourhood, or every
    mention when many changed or `full` is set (in independent parts, one after another).
    """
    with warehouse.engine() as engine, transaction(engine) as session:
        run = LoadRun(context.run.run_id)
        report = resolve_warehouse_persons(session=session, run=run, full=config.full)
    return MaterializeResult(
        metadata={
            "full_pass": report.full,
            "mentions_changed": report.changed,
            "mentions": report.mentions,
            "persons_merged": report.persons_merged,
            "matches_recorded": report.matches_recorded,
            "reviews_queued": report.reviews_queued,
            "comparisons": report.comparisons,
            "skipped_blocks": report.skipped_blocks,
            "parts": report.parts,
        }
    )
