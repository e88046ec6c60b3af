"""The simulated county's ground truth: what really exists, before any department writes it down.

Every department endpoint is a view of these objects, so a test can compare what the hub loaded with
what is true. People are referred to by their truth key (`P000123`), never by ID number, because the
departments are the ones that write ID numbers (sometimes in legacy form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

CST = dt.timezone(dt.timedelta(hours=8), "CST")

# The simulated present. Nothing in the simulator reads the wall clock, so the same seed always
# yields the same county and the same bytes.
SIM_NOW = dt.datetime(2026, 11, 1, tzinfo=CST)

# Cases, benefits and record updates are spread over this window.
HISTORY_START = dt.datetime(2024, 1, 1, tzinfo=CST)


@dataclass(frozen=True, slots=True)
class Division:
    """A 统计用区划 unit; `level` is province, city, county, township or village."""

    code: str
    name: str
    level: str
    parent_code: str | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Grid:
    """A 网格 (15-digit code, `level` grid) or a 微网格 under it (17 digits, `level` micro)."""

    code: str
    name: str
    level: str
    division_code: str
    parent_code: str | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class GridWorker:
    worker_id: str
    name: str
    phone: str
    grid_code: str
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Person:
    """A real person. `residency` is registered (户籍) or migrant (流动人口, born elsewhere)."""

    key: str
    id_number: str
    name: str
    sex: str  # GB/T 2261.1
    ethnicity: str  # GB/T 3304
    birth_date: dt.date
    phone: str | None  # children under 14 have none
    residency: str

    @property
    def legacy_id_number(self) -> str | None:
        """The 15-digit form (no century, no check char) when the person was born before 2000."""
        if self.birth_date.year >= 2000:
            return None
        return self.id_number[:6] + self.id_number[8:17]


@dataclass(frozen=True, slots=True)
class Member:
    person_key: str
    relation: str  # GB/T 4761


@dataclass(frozen=True, slots=True)
class Household:
    """A registered household (户), its address and the micro-grid the address belongs to."""

    hh_no: str
    division_code: str
    address: str
    micro_grid_code: str
    members: tuple[Member, ...]
    updated_at: dt.datetime
    moved_at: dt.datetime | None = None  # when the household last moved (simulated time only)

    @property
    def head_key(self) -> str:
        return next(member.person_key for member in self.members if member.relation == "02")


@dataclass(frozen=True, slots=True)
class Benefit:
    """A civil-affairs benefit or registration (低保, 特困, 残疾人, 留守老人, 留守儿童) of one person.

    `legacy_id` and `date_style` are how civil affairs writes this row (15-digit ID, `2024年3月5日`
    or `2024/3/5`): the department's normal shape, not noise.
    """

    person_key: str
    category: str
    start_date: dt.date
    end_date: dt.date | None
    monthly_amount: str
    hh_no: str
    updated_on: dt.date
    legacy_id: bool
    date_style: str  # cjk | slash


@dataclass(frozen=True, slots=True)
class HouseholdRating:
    """A 十星级文明户 assessment: the stars (0–10) a village committee gave a household for one year.

    `date_style` is how the clerk wrote the row's dates (`2024年3月5日` or `2024/3/5`), as for benefits.
    """

    hh_no: str
    year: int
    stars: int
    assessed_by: str  # the assessing committee, e.g. 横村镇阳山村村民委员会
    assessed_on: dt.date
    updated_on: dt.date
    date_style: str  # cjk | slash


@dataclass(frozen=True, slots=True)
class MoralPointEntry:
    """One 道德银行 entry: points a household earned (or spent, or lost) on a day, and the balance after."""

    entry_no: str  # 流水号
    hh_no: str
    recorded_on: dt.date
    reason: str  # 积分事由: 志愿服务, 孝老爱亲 … 积分兑换, 违反村规民约
    points: int  # signed: negative for a redemption or a deduction
    balance: int  # the household's balance after this entry, never negative
    updated_on: dt.date
    date_style: str  # cjk | slash


@dataclass(frozen=True, slots=True)
class CorrectionSubject:
    """A 社区矫正 (correction) or 刑满释放 (released) subject known to justice."""

    person_key: str
    subject_type: str  # correction | released
    start_date: dt.date
    end_date: dt.date | None
    division_code: str
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Party:
    person_key: str
    role: str  # department's own role code or word


@dataclass(frozen=True, slots=True)
class Incident:
    """A police incident (kind 1), public-order case (2) or criminal case (3)."""

    incident_no: str
    kind: str
    category: str
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    status: str  # 1 受理 2 分流 3 办理 4 办结 5 回访
    division_code: str
    address: str
    summary: str
    updated_at: dt.datetime
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class MediationCase:
    """A people's-mediation case (人民调解), possibly started from a petition or a police incident."""

    case_no: str
    case_type: str
    accepted_at: dt.datetime
    closed_at: dt.datetime | None
    followed_up_at: dt.datetime | None
    status: str  # accepted | mediating | closed | followedUp
    division_code: str
    level: str  # village | township | county
    result: str | None  # success | failure
    mediator: str
    source_petition_no: str | None
    source_incident_no: str | None
    updated_at: dt.datetime
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class PetitionVersion:
    """The petition as it stood after one change; the feed serves every version."""

    status: str  # received | assigned | handling | replied | closed
    changed_at: dt.datetime
    assigned_to: str | None
    referred_case_no: str | None
    replied_at: dt.datetime | None
    satisfaction: str | None


@dataclass(frozen=True, slots=True)
class Petition:
    petition_no: str
    channel: str  # letter | visit | web | 12345
    category: str
    petitioner_key: str
    co_petitioner_keys: tuple[str, ...]
    is_repeat: bool
    is_group: bool
    received_at: dt.datetime
    deadline: dt.date
    division_code: str
    versions: tuple[PetitionVersion, ...]

    @property
    def current(self) -> PetitionVersion:
        return self.versions[-1]


@dataclass(frozen=True, slots=True)
class AssistanceApplication:
    """A civil-affairs assistance application (救助申请); `related_case_no` cites a petition or incident."""

    application_no: str
    person_key: str
    assistance_type: str
    applied_on: dt.date
    status: str  # 受理 | 审核中 | 已批准 | 已拒绝
    decided_on: dt.date | None
    amount: str | None  # granted amount, only when approved
    related_case_no: str | None
    division_code: str
    updated_on: dt.date
    legacy_id: bool
    date_style: str  # cjk | slash


Case = Incident | MediationCase | Petition | AssistanceApplication


def case_number(case: Case) -> str:
    """The department's own number of any case."""
    match case:
        case Incident():
            return case.incident_no
        case MediationCase():
            return case.case_no
        case Petition():
            return case.petition_no
        case AssistanceApplication():
            return case.application_no


@dataclass(frozen=True)
class County:
    """The whole simulated county: master data, people, households, tags, cases and 德治 records, in order."""

    seed: int
    scale: int
    divisions: tuple[Division, ...]
    grids: tuple[Grid, ...]
    grid_workers: tuple[GridWorker, ...]
    persons: tuple[Person, ...]
    households: tuple[Household, ...]
    benefits: tuple[Benefit, ...]
    corrections: tuple[CorrectionSubject, ...]
    incidents: tuple[Incident, ...]
    mediations: tuple[MediationCase, ...]
    petitions: tuple[Petition, ...]
    assistance: tuple[AssistanceApplication, ...]
    ratings: tuple[HouseholdRating, ...]
    moral_points: tuple[MoralPointEntry, ...]
    # The simulated present the county stands at; `timeline.advance_county` moves it on.
    now: dt.datetime = SIM_NOW

    @cached_property
    def persons_by_key(self) -> Mapping[str, Person]:
        return {person.key: person for person in self.persons}

    @cached_property
    def persons_by_id_number(self) -> Mapping[str, Person]:
        return {person.id_number: person for person in self.persons}

    @cached_property
    def households_by_no(self) -> Mapping[str, Household]:
        return {household.hh_no: household for household in self.households}

    @cached_property
    def household_of_person(self) -> Mapping[str, Household]:
        return {member.person_key: hh for hh in self.households for member in hh.members}

    @cached_property
    def divisions_by_code(self) -> Mapping[str, Division]:
        return {division.code: division for division in self.divisions}

    @cached_property
    def grids_by_code(self) -> Mapping[str, Grid]:
        return {grid.code: grid for grid in self.grids}

    @property
    def cases(self) -> tuple[Case, ...]:
        """Every case of every department: incidents, mediations, petitions, assistance."""
        return (*self.incidents, *self.mediations, *self.petitions, *self.assistance)

    @cached_property
    def cases_by_no(self) -> Mapping[str, Case]:
        return {case_number(case): case for case in self.cases}

    @cached_property
    def tags_by_person(self) -> Mapping[str, frozenset[str]]:
        """Special-population tags per person: benefit categories plus correction/released."""
        tags: dict[str, set[str]] = {}
        for benefit in self.benefits:
            tags.setdefault(benefit.person_key, set()).add(benefit.category)
        for subject in self.corrections:
            tags.setdefault(subject.person_key, set()).add(subject.subject_type)
        return {key: frozenset(kinds) for key, kinds in sorted(tags.items())}

    def case_parties(self, case: Case) -> tuple[str, ...]:
        """Truth keys of everyone involved in a case."""
        match case:
            case Incident() | MediationCase():
                return tuple(party.person_key for party in case.parties)
            case Petition():
                return (case.petitioner_key, *case.co_petitioner_keys)
            case AssistanceApplication():
                return (case.person_key,)
