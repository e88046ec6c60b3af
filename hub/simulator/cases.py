"""Cases of one village over simulated time, and the links between departments' cases.

A village's cases get provisional numbers (`~<village>~M00003`); `numbering.assign_case_numbers` later gives
them county-wide department numbers in order of time, as a real registry numbers them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from hub.simulator import names
from hub.simulator.clock import later, random_moment
from hub.simulator.model import (
    HISTORY_START,
    SIM_NOW,
    AssistanceApplication,
    Benefit,
    Household,
    Incident,
    MediationCase,
    Party,
    Person,
    Petition,
    PetitionVersion,
)
from hub.simulator.tags import age_on

_YEARS = (SIM_NOW - HISTORY_START).days / 365.25
# Yearly rates per person, in line with a quiet rural county.
_INCIDENT_RATES = {"1": 0.025, "2": 0.004, "3": 0.0015}
_MEDIATION_RATE = 0.006
_PETITION_RATE = 0.008
_ASSISTANCE_RATE = 0.007

# kind → (category, label, what happened, has a respondent); categories are the bureau's own codes.
_INCIDENT_CATEGORIES: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    "1": (
        ("0101", "纠纷", "双方因琐事发生口角", True),
        ("0102", "求助", "报警人请求帮助", False),
        ("0103", "噪音扰民", "邻居深夜噪音扰民", True),
        ("0104", "交通事故", "两车发生轻微碰擦", True),
        ("0105", "走失寻人", "家中老人走失", False),
    ),
    "2": (
        ("0201", "殴打他人", "双方发生肢体冲突", True),
        ("0202", "盗窃", "家中财物被盗", False),
        ("0203", "赌博", "有人聚众赌博", False),
    ),
    "3": (
        ("0301", "盗窃", "电动车被盗", False),
        ("0302", "诈骗", "被冒充客服诈骗", False),
        ("0303", "故意伤害", "被他人持械打伤", True),
    ),
}
# How long each kind takes to close, in days.
_INCIDENT_DURATIONS = {"1": (0.02, 2.0), "2": (2.0, 30.0), "3": (20.0, 180.0)}
_DISPUTE_CATEGORIES = ("0101", "0103")

_MEDIATION_TYPES = (
    "婚姻家庭纠纷",
    "邻里纠纷",
    "房屋宅基地纠纷",
    "土地承包经营纠纷",
    "损害赔偿纠纷",
    "劳动争议纠纷",
    "合同纠纷",
    "山林土地纠纷",
)
_PETITION_CATEGORIES = (
    "城乡建设",
    "劳动社保",
    "农村农业",
    "民政",
    "政法",
    "卫生健康",
    "自然资源",
    "生态环境",
    "教育",
    "交通运输",
)
_ASSISTANCE_TYPES = (
    ("临时救助", 50, 500, 5000),
    ("医疗救助", 25, 1000, 20000),
    ("教育救助", 15, 1000, 8000),
    ("住房救助", 10, 5000, 30000),
)


@dataclass(frozen=True, slots=True)
class VillageCases:
    incidents: list[Incident]
    mediations: list[MediationCase]
    petitions: list[Petition]
    assistance: list[AssistanceApplication]


@dataclass(frozen=True, slots=True)
class _Village:
    """What case generation needs to know about one village."""

    code: str
    adults: list[Person]
    adults_by_key: dict[str, Person]
    household_of: dict[str, Household]
    benefit_holders: list[Person]  # adults only: they are the ones who petition and apply
    household_span: dict[str, tuple[int, int]]  # adult → [first, last + 1) of its household's adults


def village_cases(
    *,
    rng: random.Random,
    village_code: str,
    persons: list[Person],
    households: list[Household],
    benefits: list[Benefit],
) -> VillageCases:
    """Incidents, mediations, petitions and assistance applications of one village, linked."""
    adults = [person for person in persons if age_on(person, SIM_NOW.date()) >= 20]
    if not adults:
        return VillageCases([], [], [], [])
    adults_by_key = {person.key: person for person in adults}
    holders = dict.fromkeys(benefit.person_key for benefit in benefits if benefit.person_key in adults_by_key)
    village = _Village(
        code=village_code,
        adults=adults,
        adults_by_key=adults_by_key,
        household_of={member.person_key: hh for hh in households for member in hh.members},
        benefit_holders=[adults_by_key[key] for key in holders],
        household_span=_household_spans(adults, households),
    )
    numbers = _ProvisionalNumbers(village_code)
    incidents = [
        _incident(rng, village, numbers, kind)
        for kind, rate in _INCIDENT_RATES.items()
        for _ in range(_poisson(rng, rate * len(persons) * _YEARS))
    ]
    mediations = [_mediation_from_incident(rng, village, numbers, incident) for incident in incidents]
    mediations += [
        _mediation(rng, village, numbers, random_moment(rng, HISTORY_START, SIM_NOW))
        for _ in range(_poisson(rng, _MEDIATION_RATE * len(persons) * _YEARS))
    ]
    petitions, referred = _petitions(
        rng, village, numbers, _poisson(rng, _PETITION_RATE * len(persons) * _YEARS)
    )
    assistance = [
        _assistance(rng, village, numbers, incidents, petitions)
        for _ in range(_poisson(rng, _ASSISTANCE_RATE * len(persons) * _YEARS))
    ]
    return VillageCases(
        incidents=incidents,
        mediations=[mediation for mediation in mediations + referred if mediation is not None],
        petitions=petitions,
        assistance=assistance,
    )


def _household_spans(adults: list[Person], households: list[Household]) -> dict[str, tuple[int, int]]:
    """For each adult, the index range its household's adults take in `adults` (contiguous, since
    people are listed household by household)."""
    position = {person.key: index for index, person in enumerate(adults)}
    spans: dict[str, tuple[int, int]] = {}
    for household in households:
        indexes = [position[m.person_key] for m in household.members if m.person_key in position]
        if not indexes:
            continue
        span = (min(indexes), max(indexes) + 1)
        if span[1] - span[0] != len(indexes):
            raise ValueError(f"adults of household {household.hh_no} are not listed together")
        spans.update(dict.fromkeys((m.person_key for m in household.members), span))
    return spans


class _ProvisionalNumbers:
    def __init__(self, village_code: str) -> None:
        self._village_code = village_code
        self._count = 0

    def next(self, prefix: str) -> str:
        self._count += 1
        return f"~{self._village_code}~{prefix}{self._count:05d}"


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:  # normal approximation; exp(-mean) underflows for big villages
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _reached(stages: Sequence[tuple[str, dt.datetime | None]]) -> list[tuple[str, dt.datetime]]:
    """The stages of a lifecycle that have happened by the simulated now (stages are in order)."""
    happened: list[tuple[str, dt.datetime]] = []
    for status, moment in stages:
        if moment is None or moment > SIM_NOW:
            break
        happened.append((status, moment))
    return happened


def _two_parties(rng: random.Random, village: _Village) -> tuple[Person, Person]:
    """Two adults of different households (or the same one when the village has a single household)."""
    adults = village.adults
    first = rng.choice(adults)
    # The same draw as `rng.choice([adults outside first's household] or adults)`, without building
    # that list per case (quadratic in a big village): a household's adults sit side by side.
    low, high = village.household_span[first.key]
    others = len(adults) - (high - low)
    if others == 0:
        return first, rng.choice(adults)
    index = rng.choice(range(others))
    return first, adults[index if index < low else index + high - low]


def _incident(rng: random.Random, village: _Village, numbers: _ProvisionalNumbers, kind: str) -> Incident:
    category, label, detail, has_respondent = rng.choice(_INCIDENT_CATEGORIES[kind])
    reporter, respondent = _two_parties(rng, village)
    parties = [Party(reporter.key, "1")]
    if has_respondent and respondent is not reporter:
        parties.append(Party(respondent.key, "2"))
    if rng.random() < 0.2:
        witness = rng.choice(village.adults)
        if witness.key not in {party.person_key for party in parties}:
            parties.append(Party(witness.key, "3"))
    reported = random_moment(rng, HISTORY_START, SIM_NOW)
    low, high = _INCIDENT_DURATIONS[kind]
    assigned = later(rng, reported, min_days=0.01, max_days=0.2)
    handling = later(rng, assigned, min_days=0.01, max_days=0.5)
    closed = later(rng, handling, min_days=low, max_days=high)
    visited = later(rng, closed, min_days=1, max_days=7) if rng.random() < 0.6 else None
    stages = _reached([("1", reported), ("2", assigned), ("3", handling), ("4", closed), ("5", visited)])
    household = village.household_of[reporter.key]
    return Incident(
        incident_no=numbers.next("J"),
        kind=kind,
        category=category,
        reported_at=reported,
        closed_at=closed if len(stages) >= 4 else None,
        status=stages[-1][0],
        division_code=village.code,
        address=household.address,
        summary=f"{label}：{detail}",
        updated_at=stages[-1][1],
        parties=tuple(parties),
    )


def _mediation(
    rng: random.Random,
    village: _Village,
    numbers: _ProvisionalNumbers,
    accepted: dt.datetime,
    *,
    case_type: str | None = None,
    parties: tuple[str, str] | None = None,
    source_petition_no: str | None = None,
    source_incident_no: str | None = None,
) -> MediationCase:
    chosen_type = case_type or rng.choice(_MEDIATION_TYPES)
    if parties is None:
        applicant, respondent = _two_parties(rng, village)
        if chosen_type == "婚姻家庭纠纷":
            # A family dispute is between members of one household.
            household = village.household_of[applicant.key]
            relatives = [m.person_key for m in household.members if m.person_key != applicant.key]
            respondent_key = rng.choice(relatives) if relatives else respondent.key
        else:
            respondent_key = respondent.key
        parties = (applicant.key, respondent_key)
    mediating = later(rng, accepted, min_days=0, max_days=3)
    closed = later(rng, mediating, min_days=3, max_days=30)
    followed = later(rng, closed, min_days=7, max_days=30) if rng.random() < 0.7 else None
    stages = _reached(
        [("accepted", accepted), ("mediating", mediating), ("closed", closed), ("followedUp", followed)]
    )
    level = rng.choices(("village", "township", "county"), (70, 22, 8))[0]
    result = rng.choices(("success", "failure"), (9, 1))[0]
    return MediationCase(
        case_no=numbers.next("TJ"),
        case_type=chosen_type,
        accepted_at=accepted,
        closed_at=closed if len(stages) >= 3 else None,
        followed_up_at=followed if len(stages) >= 4 else None,
        status=stages[-1][0],
        division_code=village.code,
        level=level,
        result=result if len(stages) >= 3 else None,
        mediator=names.person_name(rng, sex=rng.choice("12")),
        source_petition_no=source_petition_no,
        source_incident_no=source_incident_no,
        updated_at=stages[-1][1],
        parties=tuple(
            Party(key, role) for key, role in zip(parties, ("applicant", "respondent"), strict=True)
        ),
    )


def _mediation_from_incident(
    rng: random.Random, village: _Village, numbers: _ProvisionalNumbers, incident: Incident
) -> MediationCase | None:
    """A police dispute the station hands to the village's mediation committee (诉调/警调对接)."""
    respondents = [party.person_key for party in incident.parties if party.role == "2"]
    if incident.category not in _DISPUTE_CATEGORIES or not respondents or rng.random() >= 0.35:
        return None
    accepted = later(rng, incident.reported_at, min_days=0.5, max_days=5)
    if accepted > SIM_NOW:
        return None
    reporter = incident.parties[0].person_key
    return _mediation(
        rng,
        village,
        numbers,
        accepted,
        case_type="邻里纠纷",
        parties=(reporter, respondents[0]),
        source_incident_no=incident.incident_no,
    )


def _petitions(
    rng: random.Random, village: _Village, numbers: _ProvisionalNumbers, count: int
) -> tuple[list[Petition], list[MediationCase]]:
    """Petitions in order of receipt, and the mediation cases those referred to justice started."""
    received = sorted(random_moment(rng, HISTORY_START, SIM_NOW) for _ in range(count))
    petitions: list[Petition] = []
    referred: list[MediationCase] = []
    for moment in received:
        earlier = [petition.petitioner_key for petition in petitions]
        if earlier and rng.random() < 0.12:
            petitioner = village.adults_by_key[rng.choice(earlier)]
        elif village.benefit_holders and rng.random() < 0.3:
            petitioner = rng.choice(village.benefit_holders)  # welfare grievances are a common topic
        else:
            petitioner = rng.choice(village.adults)
        is_group = rng.random() < 0.05
        co_count = rng.randint(4, 8) if is_group else (rng.randint(1, 2) if rng.random() < 0.1 else 0)
        co_petitioners: tuple[str, ...] = ()
        if co_count:  # sampling nothing draws nothing, so the list is built only when needed
            others = [person.key for person in village.adults if person.key != petitioner.key]
            co_petitioners = tuple(rng.sample(others, min(co_count, len(others))))
        petition_no = numbers.next("XF")
        versions, mediation = _petition_versions(rng, village, numbers, moment, petition_no, petitioner.key)
        if mediation is not None:
            referred.append(mediation)
        petitions.append(
            Petition(
                petition_no=petition_no,
                channel=rng.choices(("letter", "visit", "web", "12345"), (10, 25, 25, 40))[0],
                category=rng.choice(_PETITION_CATEGORIES),
                petitioner_key=petitioner.key,
                co_petitioner_keys=co_petitioners,
                is_repeat=petitioner.key in earlier,
                is_group=is_group and len(co_petitioners) >= 4,
                received_at=moment,
                deadline=moment.date() + dt.timedelta(days=60),
                division_code=village.code,
                versions=versions,
            )
        )
    return petitions, referred


def _petition_versions(
    rng: random.Random,
    village: _Village,
    numbers: _ProvisionalNumbers,
    received: dt.datetime,
    petition_no: str,
    petitioner_key: str,
) -> tuple[tuple[PetitionVersion, ...], MediationCase | None]:
    assigned_to = rng.choices(("justice", "public_security", "civil_affairs", "township"), (25, 15, 20, 40))[
        0
    ]
    assigned = later(rng, received, min_days=0.5, max_days=3)
    handling = later(rng, assigned, min_days=1, max_days=5)
    replied = later(rng, handling, min_days=5, max_days=45)
    closed = later(rng, replied, min_days=3, max_days=20)
    satisfaction = rng.choices(("satisfied", "basically_satisfied", "unsatisfied"), (65, 25, 10))[0]
    stages = _reached(
        [
            ("received", received),
            ("assigned", assigned),
            ("handling", handling),
            ("replied", replied),
            ("closed", closed),
        ]
    )
    mediation = None
    if len(stages) >= 2 and assigned_to == "justice" and rng.random() < 0.8:
        _, other = _two_parties(rng, village)
        mediation = _mediation(
            rng,
            village,
            numbers,
            assigned,
            parties=(petitioner_key, other.key),
            source_petition_no=petition_no,
        )
    versions = tuple(
        PetitionVersion(
            status=status,
            changed_at=moment,
            assigned_to=assigned_to if index >= 1 else None,
            referred_case_no=mediation.case_no if mediation is not None and index >= 1 else None,
            replied_at=replied if index >= 3 else None,
            satisfaction=satisfaction if index >= 4 else None,
        )
        for index, (status, moment) in enumerate(stages)
    )
    return versions, mediation


def _assistance(
    rng: random.Random,
    village: _Village,
    numbers: _ProvisionalNumbers,
    incidents: list[Incident],
    petitions: list[Petition],
) -> AssistanceApplication:
    applicant = rng.choice(village.benefit_holders or village.adults) if rng.random() < 0.5 else None
    applied = random_moment(rng, HISTORY_START, SIM_NOW)
    related_case_no = None
    if rng.random() < 0.25 and (petitions or incidents):
        # Hardship that surfaced in a petition or a police call leads to an application.
        if petitions and (not incidents or rng.random() < 0.6):
            petition = rng.choice(petitions)
            related_case_no, applicant_key, opened = (
                petition.petition_no,
                petition.petitioner_key,
                petition.received_at,
            )
        else:
            incident = rng.choice(incidents)
            applicant_key, opened = incident.parties[0].person_key, incident.reported_at
            related_case_no = incident.incident_no
        applied = later(rng, opened, min_days=2, max_days=30)
        if applied > SIM_NOW:
            applied, related_case_no = random_moment(rng, HISTORY_START, SIM_NOW), None
        else:
            applicant = village.adults_by_key[applicant_key]
    person = applicant or rng.choice(village.adults)
    assistance_type, _, low, high = rng.choices(_ASSISTANCE_TYPES, [entry[1] for entry in _ASSISTANCE_TYPES])[
        0
    ]
    approved = rng.random() < 0.8
    reviewing = later(rng, applied, min_days=1, max_days=5)
    decided = later(rng, reviewing, min_days=10, max_days=40)
    stages = _reached(
        [("受理", applied), ("审核中", reviewing), ("已批准" if approved else "已拒绝", decided)]
    )
    decided_on = decided.date() if len(stages) == 3 else None
    return AssistanceApplication(
        application_no=numbers.next("JZ"),
        person_key=person.key,
        assistance_type=assistance_type,
        applied_on=applied.date(),
        status=stages[-1][0],
        decided_on=decided_on,
        amount=f"{rng.randrange(low, high, 50)}.00" if decided_on is not None and approved else None,
        related_case_no=related_case_no,
        division_code=village.code,
        updated_on=stages[-1][1].date(),
        legacy_id=person.birth_date.year < 1990 and rng.random() < 0.1,
        date_style=rng.choice(("cjk", "slash")),
    )
