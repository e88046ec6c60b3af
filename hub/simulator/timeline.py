"""Simulated time moving on: `hub simulate advance --days N`, and the county N days later.

The generated county stands at `SIM_NOW`. `advance_county(county, days=N)` returns it as it stands
N days later: open cases move through their lifecycles (incidents and mediations close, petitions
get replies, applications are decided), new incidents and petitions arrive, children are born into
households and some households move within their village. Every change carries its own moment, so
"changed since" picks it up.

The result depends only on (seed, scale, N): a case's next stages are drawn from a stream keyed
by its number, a day's arrivals from a stream keyed by the day, always starting from the generated
county. The state therefore holds only the total N, so advancing 3 then 4 days serves what
advancing 7 does, and `truth --days 7` explains what a server advanced to day 7 serves.

A running server follows a state folder (`SimulatorSettings.state_dir`): `state.json` holds
`{"days": N}`; `advance` rewrites it atomically and the server, which checks the file's
modification time on each request, rebuilds its payloads for the new day before answering.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
from dataclasses import replace
from pathlib import Path

import orjson

from hub.simulator import names
from hub.simulator.clock import derive_rng, later, random_moment
from hub.simulator.identity import COUNTY_REGION, with_check_char
from hub.simulator.model import (
    SIM_NOW,
    AssistanceApplication,
    County,
    Household,
    Incident,
    MediationCase,
    Member,
    Party,
    Person,
    Petition,
    PetitionVersion,
)
from hub.simulator.tags import age_on

STATE_FILE = "state.json"

# Daily rates per person (per household for moves), in line with the generator's yearly ones.
_INCIDENTS_PER_PERSON_DAY = 0.0305 / 365
_PETITIONS_PER_PERSON_DAY = 0.008 / 365
_BIRTHS_PER_PERSON_DAY = 0.006 / 365
_MOVES_PER_HOUSEHOLD_DAY = 0.03 / 365
_NEW_INCIDENT_CATEGORIES = (("1", "0101", "纠纷：双方因琐事发生口角"), ("1", "0102", "求助：报警人请求帮助"))


def read_days(state_dir: Path | str) -> int:
    """Days advanced according to `state_dir/state.json` (0 when there is none)."""
    path = Path(state_dir) / STATE_FILE
    if not path.exists():
        return 0
    days = orjson.loads(path.read_bytes()).get("days", 0)
    return days if isinstance(days, int) and days >= 0 else 0


def write_days(state_dir: Path | str, days: int) -> None:
    """Record `days` advanced in `state_dir/state.json`, atomically (a server may be reading it)."""
    folder = Path(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{STATE_FILE}.tmp"
    temporary.write_bytes(orjson.dumps({"days": days}))
    os.replace(temporary, folder / STATE_FILE)


def advance_county(county: County, *, days: int) -> County:
    """The county `days` days after it was generated (the same county when `days` is 0)."""
    if days <= 0:
        return county
    if county.now != SIM_NOW:
        raise ValueError("advance_county takes the generated county and the total days to advance")
    seed = county.seed
    now = county.now + dt.timedelta(days=days)
    start = county.now
    adults = [person for person in county.persons if age_on(person, now.date()) >= 20]
    household_of = county.household_of_person
    households = dict(county.households_by_no)
    persons = list(county.persons)
    by_key = dict(county.persons_by_key)
    ordered = sorted(households)
    by_village: dict[str, list[str]] = {}
    for hh_no in ordered:
        by_village.setdefault(households[hh_no].division_code, []).append(hh_no)
    couples = [hh_no for hh_no in ordered if any(m.relation == "10" for m in households[hh_no].members)]
    used_ids = set(county.persons_by_id_number)
    new_incidents: list[Incident] = []
    new_petitions: list[Petition] = []
    petition_count = sum(1 for p in county.petitions if p.received_at.year == now.year)
    for day in range(1, days + 1):
        rng = derive_rng(seed, "advance-day", str(day))
        day_start = start + dt.timedelta(days=day - 1)
        day_end = day_start + dt.timedelta(days=1)
        for number in range(_poisson(rng, _INCIDENTS_PER_PERSON_DAY * len(county.persons))):
            reporter = rng.choice(adults)
            kind, category, summary = rng.choice(_NEW_INCIDENT_CATEGORIES)
            reported = random_moment(rng, day_start, day_end)
            household = household_of[reporter.key]
            new_incidents.append(
                Incident(
                    incident_no=f"J{COUNTY_REGION}{reported:%Y%m%d}{number + 1:04d}",
                    kind=kind,
                    category=category,
                    reported_at=reported,
                    closed_at=None,
                    status="1",
                    division_code=household.division_code,
                    address=household.address,
                    summary=summary,
                    updated_at=reported,
                    parties=(Party(reporter.key, "1"),),
                )
            )
        for _ in range(_poisson(rng, _PETITIONS_PER_PERSON_DAY * len(county.persons))):
            petitioner = rng.choice(adults)
            received = random_moment(rng, day_start, day_end)
            petition_count += 1
            new_petitions.append(
                Petition(
                    petition_no=f"XF{COUNTY_REGION}{received.year}{petition_count:06d}",
                    channel=rng.choices(("letter", "visit", "web", "12345"), (10, 25, 25, 40))[0],
                    category=rng.choice(("城乡建设", "劳动社保", "民政", "自然资源")),
                    petitioner_key=petitioner.key,
                    co_petitioner_keys=(),
                    is_repeat=False,
                    is_group=False,
                    received_at=received,
                    deadline=received.date() + dt.timedelta(days=60),
                    division_code=household_of[petitioner.key].division_code,
                    versions=(PetitionVersion("received", received, None, None, None, None),),
                )
            )
        for _ in range(_poisson(rng, _BIRTHS_PER_PERSON_DAY * len(county.persons))):
            _birth(
                rng, couples, households, persons, by_key, used_ids, random_moment(rng, day_start, day_end)
            )
        for _ in range(_poisson(rng, _MOVES_PER_HOUSEHOLD_DAY * len(households))):
            _move(rng, ordered, by_village, households, random_moment(rng, day_start, day_end))
    return replace(
        county,
        persons=tuple(persons),
        households=tuple(households[hh_no] for hh_no in sorted(households)),
        incidents=tuple(
            sorted(
                (_progress_incident(seed, c, now, start) for c in (*county.incidents, *new_incidents)),
                key=_no,
            )
        ),
        mediations=tuple(_progress_mediation(seed, case, now, start) for case in county.mediations),
        petitions=tuple(_progress_petition(seed, p, now, start) for p in (*county.petitions, *new_petitions)),
        assistance=tuple(_progress_assistance(seed, a, now, start) for a in county.assistance),
        now=now,
    )


def _no(incident: Incident) -> str:
    return incident.incident_no


def _poisson(rng: random.Random, mean: float) -> int:
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _stages(
    rng: random.Random,
    start: dt.datetime,
    gaps: list[tuple[str, float, float]],
    now: dt.datetime,
    since: dt.datetime,
) -> list[tuple[str, dt.datetime]]:
    """The stages after `start` that have happened by `now`, each `gap` days after the previous.

    A stage the county had not recorded by `since` (the moment it was generated at) is recorded
    after it, as a department enters a late step: a change never carries a time its department
    had already served past, or no "changed since" query could find it.
    """
    reached = []
    moment = start
    for status, low, high in gaps:
        moment = later(rng, moment, min_days=low, max_days=high)
        if moment <= since:
            moment = later(rng, since, min_days=0.0, max_days=1.0)
        if moment > now:
            break
        reached.append((status, moment))
    return reached


_INCIDENT_GAPS = {"2": (0.01, 0.2), "3": (0.01, 0.5), "5": (1.0, 7.0)}
_INCIDENT_CLOSING = {"1": (0.02, 2.0), "2": (2.0, 30.0), "3": (20.0, 180.0)}


def _progress_incident(seed: int, incident: Incident, now: dt.datetime, since: dt.datetime) -> Incident:
    if incident.status == "5":
        return incident
    rng = derive_rng(seed, "advance-case", incident.incident_no)
    gaps = [
        (status, *(_INCIDENT_CLOSING[incident.kind] if status == "4" else _INCIDENT_GAPS[status]))
        for status in "2345"
        if status > incident.status
    ]
    reached = _stages(rng, incident.updated_at, gaps, now, since)
    if not reached:
        return incident
    status, moment = reached[-1]
    closed = dict(reached).get("4", incident.closed_at)
    return replace(incident, status=status, updated_at=moment, closed_at=closed)


def _progress_mediation(
    seed: int, case: MediationCase, now: dt.datetime, since: dt.datetime
) -> MediationCase:
    order = ("accepted", "mediating", "closed", "followedUp")
    if case.status == "followedUp":
        return case
    rng = derive_rng(seed, "advance-case", case.case_no)
    gap = {"mediating": (0.0, 3.0), "closed": (3.0, 30.0), "followedUp": (7.0, 30.0)}
    following = order[order.index(case.status) + 1 :]
    reached = _stages(rng, case.updated_at, [(s, *gap[s]) for s in following], now, since)
    if not reached:
        return case
    moments = dict(reached)
    closed = moments.get("closed", case.closed_at)
    return replace(
        case,
        status=reached[-1][0],
        updated_at=reached[-1][1],
        closed_at=closed,
        followed_up_at=moments.get("followedUp", case.followed_up_at),
        result=case.result or (rng.choices(("success", "failure"), (9, 1))[0] if closed else None),
    )


def _progress_petition(seed: int, petition: Petition, now: dt.datetime, since: dt.datetime) -> Petition:
    order = ("received", "assigned", "handling", "replied", "closed")
    current = petition.current
    if current.status == "closed":
        return petition
    rng = derive_rng(seed, "advance-case", petition.petition_no)
    gap = {"assigned": (0.5, 3.0), "handling": (1.0, 5.0), "replied": (5.0, 45.0), "closed": (3.0, 20.0)}
    following = order[order.index(current.status) + 1 :]
    reached = _stages(rng, current.changed_at, [(s, *gap[s]) for s in following], now, since)
    assigned_to = current.assigned_to or rng.choice(("public_security", "civil_affairs", "township"))
    satisfaction = rng.choices(("satisfied", "basically_satisfied", "unsatisfied"), (65, 25, 10))[0]
    versions = list(petition.versions)
    replied_at = current.replied_at
    for status, moment in reached:
        replied_at = moment if status == "replied" else replied_at
        versions.append(
            PetitionVersion(
                status=status,
                changed_at=moment,
                assigned_to=assigned_to,
                referred_case_no=current.referred_case_no,
                replied_at=replied_at,
                satisfaction=satisfaction if status == "closed" else None,
            )
        )
    return replace(petition, versions=tuple(versions))


def _progress_assistance(
    seed: int, application: AssistanceApplication, now: dt.datetime, since: dt.datetime
) -> AssistanceApplication:
    if application.status not in ("受理", "审核中"):
        return application
    rng = derive_rng(seed, "advance-case", application.application_no)
    approved = rng.random() < 0.8
    decision = "已批准" if approved else "已拒绝"
    gaps = [("审核中", 1.0, 5.0), (decision, 10.0, 40.0)]
    if application.status == "审核中":
        gaps = gaps[1:]
    start = dt.datetime.combine(application.updated_on, dt.time(12), now.tzinfo)
    reached = _stages(rng, start, gaps, now, since)
    if not reached:
        return application
    status, moment = reached[-1]
    decided = status == decision
    return replace(
        application,
        status=status,
        updated_on=moment.date(),
        decided_on=moment.date() if decided else None,
        amount=f"{rng.randrange(500, 5000, 50)}.00" if decided and approved else None,
    )


def _birth(
    rng: random.Random,
    couples: list[str],
    households: dict[str, Household],
    persons: list[Person],
    by_key: dict[str, Person],
    used_ids: set[str],
    moment: dt.datetime,
) -> None:
    """A child born into a household with a couple (head and spouse)."""
    if not couples:
        return
    household = households[couples[rng.randrange(len(couples))]]
    head = by_key[household.head_key]
    sex = rng.choice("12")
    birth = moment.date()
    parity = 1 if sex == "1" else 0
    sequences = [seq for seq in range(1, 1000) if seq % 2 == parity]
    rng.shuffle(sequences)
    id_number = next(
        number
        for seq in sequences
        if (number := with_check_char(f"{COUNTY_REGION}{birth:%Y%m%d}{seq:03d}")) not in used_ids
    )
    used_ids.add(id_number)
    child = Person(
        key=f"P{len(persons) + 1:07d}",
        id_number=id_number,
        name=names.person_name(rng, sex=sex, surname=names.surname_of(head.name)),
        sex=sex,
        ethnicity=head.ethnicity,
        birth_date=birth,
        phone=None,
        residency="registered",
    )
    persons.append(child)
    by_key[child.key] = child
    relation = "20" if sex == "1" else "30"
    households[household.hh_no] = replace(
        household, members=(*household.members, Member(child.key, relation)), updated_at=moment
    )


_DOOR = re.compile(r"^(.*?)(\d+)号$")


def _move(
    rng: random.Random,
    ordered: list[str],
    by_village: dict[str, list[str]],
    households: dict[str, Household],
    moment: dt.datetime,
) -> None:
    """A household moving to a new door in its village (and so, often, to another micro-grid)."""
    household = households[ordered[rng.randrange(len(ordered))]]
    neighbours = by_village[household.division_code]
    target = households[neighbours[rng.randrange(len(neighbours))]]
    match = _DOOR.match(target.address)
    address = f"{match[1]}{int(match[2]) + rng.randint(1, 3)}号" if match else target.address + "附1号"
    if address == household.address:
        return
    households[household.hh_no] = replace(
        household, address=address, micro_grid_code=target.micro_grid_code, updated_at=moment, moved_at=moment
    )
