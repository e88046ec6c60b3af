"""司法 justice: mediation cases (disputes) and community-correction / released-prisoner subjects."""

from hub.sources.canonical import Department
from hub.sources.justice import mapping, records
from hub.warehouse.cases.loading import load_cases
from hub.warehouse.tags.loading import load_tags
from pipelines.assets.common import incremental_source
from pipelines.assets.public_security import public_security_households
from pipelines.assets.registry import grid_registry
from pipelines.ingest import Stream

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


justice_mediation_cases = incremental_source(
    name="justice_mediation_cases",
    stream=MEDIATION_CASES,
    resource="justice",
    fetch=lambda client, since: client.iter_mediation_cases(updated_since=since),
    description="People's mediation cases (人民调解) with levels, results and the petitions they came from.",
    deps=[grid_registry, public_security_households],
)
justice_correction_subjects = incremental_source(
    name="justice_correction_subjects",
    stream=CORRECTION_SUBJECTS,
    resource="justice",
    fetch=lambda client, since: client.iter_correction_subjects(updated_since=since),
    description="Community correction (社区矫正) and released prisoners (刑满释放) as person tags.",
    deps=[grid_registry, public_security_households],
)
