"""Every stream the departments serve, and the county as served under a noise profile.

One table (`STREAMS`) names each served list: its department, its endpoint, how its records are
built from the truth and where noise may alter them. `serve_county` builds all of them once; the
app serves the result and `truth` exports it, so what is served and what the truth files explain
are the same records by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hub.simulator.departments import civil_affairs, justice, petitions, public_security, registry
from hub.simulator.departments.listing import Listed
from hub.simulator.model import County
from hub.simulator.noise import Defect, RecordShape, SecondIds, apply_noise
from hub.simulator.profiles import NoiseProfile, noise_profile


@dataclass(frozen=True, slots=True)
class Stream:
    """One served list: `name` is unique county-wide and names the truth files' `stream`."""

    department: str
    name: str
    path: str
    build: Callable[[County], list[Listed]]
    shape: RecordShape | None  # None: master data the hub owns, served without noise


_HOUSEHOLD_SHAPE = RecordShape(
    person_slots=("members[]",),
    address_field="address",
    codes=(
        ("members[].sex", ("3",)),
        ("members[].nation", ("59", "60")),
        ("members[].relation", ("98",)),
    ),
    renames=(
        ("members[].nation", "ethnic"),
        ("members[].birth_date", "birthday"),
        ("updated_at", "update_time"),
    ),
    additions=(("remark", "人户分离"), ("police_station", "桐君派出所")),
    malformed=(("members[].birth_date", "0000-00-00"), ("updated_at", "2026-13-01T08:00:00+08:00")),
)
_INCIDENT_SHAPE = RecordShape(
    person_slots=("parties[]",),
    address_field="address",
    codes=(("category", ("0999", "9901")), ("status", ("9",)), ("kind", ("4",)), ("parties[].role", ("9",))),
    renames=(("summary", "brief"), ("reported_at", "report_time")),
    additions=(("police_station", "分水派出所"), ("handler_no", "330122001")),
    malformed=(("reported_at", "2026-02-30 25:61:00"), ("closed_at", "not closed")),
)
_BENEFIT_SHAPE = RecordShape(
    person_slots=("",),
    id_field="身份证号",
    name_field="姓名",
    missing_id="",
    codes=(("救助类别", ("五保", "优抚")),),
    csv_columns=civil_affairs.BENEFIT_COLUMNS,
    encoding=civil_affairs.ENCODING,
)
_ASSISTANCE_SHAPE = RecordShape(
    person_slots=("",),
    id_field="身份证号",
    name_field="姓名",
    missing_id="",
    codes=(("状态", ("已撤回", "待补材料")), ("救助类型", ("其他救助",))),
    csv_columns=civil_affairs.ASSISTANCE_COLUMNS,
    encoding=civil_affairs.ENCODING,
)
# Ratings and points name no person, only the household: unknown stars or reasons, rows cut short
# and duplicates are the defects these exports can carry.
_RATING_SHAPE = RecordShape(
    codes=(("星级", ("11", "十星")),),
    csv_columns=civil_affairs.RATING_COLUMNS,
    encoding=civil_affairs.ENCODING,
)
_MORAL_POINT_SHAPE = RecordShape(
    codes=(("积分事由", ("表彰奖励", "其他")),),
    csv_columns=civil_affairs.MORAL_POINT_COLUMNS,
    encoding=civil_affairs.ENCODING,
)
_MEDIATION_SHAPE = RecordShape(
    person_slots=("parties[]",),
    id_field="idCard",
    codes=(("level", ("city",)), ("status", ("suspended",)), ("parties[].role", ("agent",))),
    renames=(("mediator", "mediatorName"), ("caseType", "disputeType")),
    additions=(("remark", ""), ("orgName", "桐庐县人民调解委员会")),
    malformed=(("acceptTime", "2025-03-01 09:00"), ("updateTime", -1)),
)
_CORRECTION_SHAPE = RecordShape(
    person_slots=("",),
    id_field="idCard",
    codes=(("subjectType", ("parole", "probation")),),
    renames=(("subjectType", "subjectKind"),),
    additions=(("remark", ""),),
    malformed=(("startDate", ""), ("updateTime", "1970-01-01")),
)
_PETITION_SHAPE = RecordShape(
    person_slots=("petitioner", "co_petitioners[]"),
    codes=(("channel", ("fax", "mayor_mailbox")), ("status", ("suspended",)), ("assigned_to", ("housing",))),
    renames=(("category", "category_name"), ("received_at", "receive_time")),
    additions=(("handler", "县信访局"), ("source_system", "national_v3")),
    malformed=(("received_at", ""), ("deadline", "2026-02-30")),
)

STREAMS: tuple[Stream, ...] = (
    Stream("registry", "divisions", "/registry/divisions", registry.division_records, None),
    Stream("registry", "grids", "/registry/grids", registry.grid_records, None),
    Stream("registry", "grid_workers", "/registry/grid-workers", registry.grid_worker_records, None),
    Stream("registry", "addresses", "/registry/addresses", registry.address_records, None),
    Stream(
        "public_security",
        "households",
        "/public-security/api/households",
        public_security.household_records,
        _HOUSEHOLD_SHAPE,
    ),
    Stream(
        "public_security",
        "incidents",
        "/public-security/api/incidents",
        public_security.incident_records,
        _INCIDENT_SHAPE,
    ),
    Stream(
        "civil_affairs",
        "benefits",
        "/civil-affairs/export/benefits.csv",
        civil_affairs.benefit_records,
        _BENEFIT_SHAPE,
    ),
    Stream(
        "civil_affairs",
        "assistance",
        "/civil-affairs/export/assistance.csv",
        civil_affairs.assistance_records,
        _ASSISTANCE_SHAPE,
    ),
    Stream(
        "civil_affairs",
        "household_ratings",
        "/civil-affairs/export/household-ratings.csv",
        civil_affairs.rating_records,
        _RATING_SHAPE,
    ),
    Stream(
        "civil_affairs",
        "moral_points",
        "/civil-affairs/export/moral-points.csv",
        civil_affairs.moral_point_records,
        _MORAL_POINT_SHAPE,
    ),
    Stream(
        "justice", "mediations", "/justice/api/mediationCases", justice.mediation_records, _MEDIATION_SHAPE
    ),
    Stream(
        "justice",
        "corrections",
        "/justice/api/correctionSubjects",
        justice.correction_records,
        _CORRECTION_SHAPE,
    ),
    Stream("petitions", "petitions", "/petitions/feed", petitions.version_records, _PETITION_SHAPE),
)

STREAMS_BY_NAME: Mapping[str, Stream] = {stream.name: stream for stream in STREAMS}
STREAMS_BY_PATH: Mapping[str, Stream] = {stream.path: stream for stream in STREAMS}


@dataclass(frozen=True)
class ServedCounty:
    """The county as its departments serve it: each stream's records after noise, and the defects."""

    county: County
    noise: NoiseProfile
    records: Mapping[str, list[Listed]]
    defects: tuple[Defect, ...]
    eligible: Mapping[str, Mapping[str, int]]  # stream → noise kind → records that could carry it


def serve_county(county: County, *, noise: NoiseProfile | str = "clean") -> ServedCounty:
    """Build every stream of `county` and apply `noise` (a profile or its name) to each."""
    profile = noise_profile(noise) if isinstance(noise, str) else noise
    second_ids = SecondIds(county.seed, set() if profile.is_clean else set(county.persons_by_id_number))
    records: dict[str, list[Listed]] = {}
    defects: list[Defect] = []
    eligible: dict[str, Mapping[str, int]] = {}
    for stream in STREAMS:
        built = stream.build(county)
        if stream.shape is None:
            records[stream.name], eligible[stream.name] = built, {}
            continue
        outcome = apply_noise(
            built,
            department=stream.department,
            stream=stream.name,
            shape=stream.shape,
            profile=profile,
            seed=county.seed,
            second_ids=second_ids,
        )
        records[stream.name] = outcome.records
        defects += outcome.defects
        eligible[stream.name] = outcome.eligible
    return ServedCounty(county, profile, records, tuple(defects), eligible)
