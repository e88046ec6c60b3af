"""司法 justice: mediation cases (disputes) and community-correction / released-prisoner subjects."""

from contextlib import closing

from dagster import AssetExecutionContext, MaterializeResult, asset

from hub.sources.canonical import Department
from hub.sources.justice import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.provenance import LoadRun
from hub.warehouse.tags.loading import load_tags
from pipelines.assets.common import SOURCE_RETRY, IngestConfig, ingest_incrementally, materialization
from pipelines.assets.registry import grid_registry
from pipelines.ingest import Stream
from pipelines.resources import JusticeResource, WarehouseResource

MEDIATION_CASES = Stream(
    Department.JUSTICE,
    "mediation_cases",
    records.mediation_case_id,
    mapping.map_mediation_case,
    load_cases,
    changed_at=records.changed_at,
    payload_type=records.MediationCasePayload,
)
CORRECTION_SUBJECTS = Stream(
    Department.JUSTICE,
    "correction_subjects",
    records.correction_subject_id,
    mapping.map_correction_subject,
    load_tags,
    changed_at=records.changed_at,
    payload_type=records.CorrectionSubjectPayload,
)


@asset(group_name="justice", pool="justice", deps=[grid_registry], retry_policy=SOURCE_RETRY)
def justice_mediation_cases(
    context: AssetExecutionContext,
    config: IngestConfig,
    justice: JusticeResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    """People's mediation cases (人民调解) with levels, results and the petitions they came from."""
    with warehouse.engine() as engine, closing(justice.client()) as client:
        report = ingest_incrementally(
            engine=engine,
            run=LoadRun(context.run.run_id),
            stream=MEDIATION_CASES,
            config=config,
            fetch=lambda since: client.iter_mediation_cases(updated_since=since),
        )
    return materialization(report)


@asset(group_name="justice", pool="justice", deps=[grid_registry], retry_policy=SOURCE_RETRY)
def justice_correction_subjects(
    context: AssetExecutionContext,
    config: IngestConfig,
    justice: JusticeResource,
    warehouse: WarehouseResource,
) -> MaterializeResult[None]:
    """Community correction (社区矫正) and released prisoners (刑满释放) as person tags."""
    with warehouse.engine() as engine, closing(justice.client()) as client:
        report = ingest_incrementally(
            engine=engine,
            run=LoadRun(context.run.run_id),
            stream=CORRECTION_SUBJECTS,
            config=config,
            fetch=lambda since: client.iter_correction_subjects(updated_since=since),
        )
    return materialization(report)
