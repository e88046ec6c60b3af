"""People and households of one village: families with a plausible age pyramid, and their addresses."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from hub.simulator import names
from hub.simulator.clock import random_moment
from hub.simulator.divisions import VillagePlan, plan_grids
from hub.simulator.identity import COUNTY_REGION, MIGRANT_BIRTHPLACES, IdAllocator
from hub.simulator.model import CST, HISTORY_START, SIM_NOW, Grid, Household, Member, Person

# Relation to head of household, GB/T 4761.
HEAD, SPOUSE, SON, DAUGHTER, GRANDCHILD, PARENT, SIBLING, OTHER = (
    "02",
    "10",
    "20",
    "30",
    "40",
    "50",
    "70",
    "99",
)

_MIGRANT_HOUSEHOLD_RATE = 0.15
_LEFT_BEHIND_HOUSEHOLD_RATE = 0.05  # grandparents raising grandchildren while the parents work away
_MARRIED_IN_FROM_ELSEWHERE_RATE = 0.08
# Age bands of heads of household in an ageing rural Zhejiang county, with weights.
_HEAD_AGE_BANDS = (
    (22, 29, 6),
    (30, 39, 14),
    (40, 49, 18),
    (50, 59, 24),
    (60, 69, 22),
    (70, 79, 12),
    (80, 92, 4),
)
_SHE_TOWNSHIP = "莪山畲族乡"  # a She (畲族, GB/T 3304 code 22) ethnic township


@dataclass(slots=True)
class _Draft:
    """A family member before their truth key and ID number are fixed."""

    relation: str
    sex: str
    age: int
    own_surname: bool = False  # married-in spouses and mothers keep their own surname
    region: str = COUNTY_REGION


@dataclass(frozen=True, slots=True)
class VillagePopulation:
    persons: list[Person]
    households: list[Household]
    grids: list[Grid]


def populate_village(
    *, rng: random.Random, village: VillagePlan, village_count: int, first_person_number: int
) -> VillagePopulation:
    """Exactly `village.person_target` people in households, with addresses and micro-grids."""
    allocator = IdAllocator(village_ordinal=village.ordinal, village_count=village_count)
    families: list[tuple[list[_Draft], str, bool]] = []
    placed = 0
    while placed < village.person_target:
        family, region, migrant = _family(rng)
        family = family[: village.person_target - placed]  # the head comes first, so it survives
        families.append((family, region, migrant))
        placed += len(family)

    grids, micro_codes = plan_grids(rng=rng, village=village, household_count=len(families))
    addresses = _addresses(rng, village, len(families))
    she_township = village.township_name == _SHE_TOWNSHIP
    persons: list[Person] = []
    households: list[Household] = []
    for index, (family, region, migrant) in enumerate(families):
        ethnicity = _family_ethnicity(rng, region=region, she_township=she_township)
        family_surname = names.surname_of(names.person_name(rng, sex="1"))
        members: list[Member] = []
        for draft in family:
            birth = _birth_date(rng, draft.age)
            id_number, birth = allocator.allocate(
                region=draft.region, birth_date=birth, sex=draft.sex, rng=rng
            )
            key = f"P{first_person_number + len(persons):07d}"
            person = Person(
                key=key,
                id_number=id_number,
                name=names.person_name(
                    rng, sex=draft.sex, surname=None if draft.own_surname else family_surname
                ),
                sex=draft.sex,
                ethnicity=ethnicity,
                birth_date=birth,
                phone=names.mobile_phone(rng) if draft.age >= 14 else None,
                residency="migrant" if migrant else "registered",
            )
            persons.append(person)
            members.append(Member(key, draft.relation))
        youngest = dt.datetime.combine(
            max(persons[-len(family) :], key=lambda p: p.birth_date).birth_date, dt.time(), CST
        )
        updated = random_moment(rng, max(HISTORY_START, youngest), SIM_NOW)
        households.append(
            Household(
                hh_no=f"{village.code}{index + 1:06d}",
                division_code=village.code,
                address=addresses[index],
                micro_grid_code=micro_codes[index],
                members=tuple(members),
                updated_at=updated,
            )
        )
    return VillagePopulation(persons, households, grids)


def _family(rng: random.Random) -> tuple[list[_Draft], str, bool]:
    """One household's members (head first), their birthplace and whether they are migrants."""
    if rng.random() < _MIGRANT_HOUSEHOLD_RATE:
        region = rng.choice(MIGRANT_BIRTHPLACES)
        return _migrant_family(rng, region), region, True
    if rng.random() < _LEFT_BEHIND_HOUSEHOLD_RATE:
        return _left_behind_family(rng), COUNTY_REGION, False
    return _local_family(rng), COUNTY_REGION, False


def _local_family(rng: random.Random) -> list[_Draft]:
    low, high, _ = rng.choices(_HEAD_AGE_BANDS, [band[2] for band in _HEAD_AGE_BANDS])[0]
    head_age = rng.randint(low, high)
    head = _Draft(HEAD, "1" if rng.random() < 0.78 else "2", head_age)
    family = [head]
    spouse_rate = 0.3 if head_age < 25 else 0.6 if head_age >= 75 else 0.87
    if rng.random() < spouse_rate:
        region = (
            rng.choice(MIGRANT_BIRTHPLACES)
            if rng.random() < _MARRIED_IN_FROM_ELSEWHERE_RATE
            else COUNTY_REGION
        )
        spouse_age = max(20, head_age + (rng.randint(-6, 1) if head.sex == "1" else rng.randint(-1, 6)))
        # Children carry the husband's surname, whichever spouse heads the household.
        head.own_surname = head.sex == "2"
        family.append(_Draft(SPOUSE, "2" if head.sex == "1" else "1", spouse_age, head.sex == "1", region))
    birth_year = SIM_NOW.year - head_age
    child_counts = (0, 1, 2, 3)
    weights = (
        (15, 50, 33, 2) if birth_year >= 1980 else (8, 52, 35, 5) if birth_year >= 1960 else (4, 20, 45, 31)
    )
    for _ in range(rng.choices(child_counts, weights)[0]):
        child_age = head_age - rng.randint(22, 36)
        if child_age < 0:
            continue
        stays = 1.0 if child_age < 18 else 0.6 if child_age <= 30 else 0.25
        if rng.random() < stays:
            sex = rng.choice("12")
            family.append(_Draft(SON if sex == "1" else DAUGHTER, sex, child_age))
            if child_age >= 24 and rng.random() < 0.5:
                for _ in range(rng.randint(1, 2)):
                    grandchild_age = child_age - rng.randint(24, 32)
                    if grandchild_age >= 0:
                        family.append(_Draft(GRANDCHILD, rng.choice("12"), grandchild_age))
    if head_age < 60 and rng.random() < 0.25:
        for sex in ("1", "2"):
            parent_age = head_age + rng.randint(22, 34)
            if parent_age <= 95 and rng.random() < 0.7:
                family.append(_Draft(PARENT, sex, parent_age, own_surname=sex == "2"))
    if rng.random() < 0.03:
        family.append(_Draft(SIBLING, rng.choice("12"), max(16, head_age + rng.randint(-10, 10))))
    if rng.random() < 0.02:
        family.append(_Draft(OTHER, rng.choice("12"), rng.randint(18, 70), own_surname=True))
    return family


def _left_behind_family(rng: random.Random) -> list[_Draft]:
    head_age = rng.randint(58, 78)
    family = [_Draft(HEAD, "1", head_age)]
    if rng.random() < 0.75:
        family.append(_Draft(SPOUSE, "2", head_age + rng.randint(-5, 1), own_surname=True))
    family.extend(_Draft(GRANDCHILD, rng.choice("12"), rng.randint(2, 15)) for _ in range(rng.randint(1, 2)))
    return family


def _migrant_family(rng: random.Random, region: str) -> list[_Draft]:
    head_age = rng.randint(20, 50)
    family = [_Draft(HEAD, "1" if rng.random() < 0.85 else "2", head_age, region=region)]
    if rng.random() < 0.7:
        family[0].own_surname = family[0].sex == "2"
        spouse_sex = "2" if family[0].sex == "1" else "1"
        family.append(_Draft(SPOUSE, spouse_sex, head_age + rng.randint(-4, 2), spouse_sex == "2", region))
        for _ in range(rng.choices((0, 1, 2), (40, 40, 20))[0]):
            child_age = head_age - rng.randint(22, 32)
            if child_age >= 0:
                sex = rng.choice("12")
                family.append(_Draft(SON if sex == "1" else DAUGHTER, sex, child_age, region=region))
    return family


def _family_ethnicity(rng: random.Random, *, region: str, she_township: bool) -> str:
    if she_township and rng.random() < 0.35:
        return "22"  # 畲族
    if region[:2] in ("52", "53") and rng.random() < 0.3:
        return rng.choice(("06", "07", "09"))  # 苗族, 彝族, 布依族
    if rng.random() < 0.01:
        return rng.choice(("03", "08"))  # 回族, 壮族
    return "01"


def _birth_date(rng: random.Random, age: int) -> dt.date:
    """A birth date that makes the person `age` full years old on the simulated day."""
    today = SIM_NOW.date()
    latest = today.replace(year=today.year - age)
    return latest - dt.timedelta(days=rng.randrange(1, 365))


def _addresses(rng: random.Random, village: VillagePlan, count: int) -> list[str]:
    """`count` distinct door addresses, in walking order (so neighbours get neighbouring numbers)."""
    prefix = f"桐庐县{village.township_name}{village.name}"
    addresses: list[str] = []
    if village.is_community:
        roads = list(dict.fromkeys(names.road_name(rng) for _ in range(3)))
        per_road = -(-count // len(roads))
        for road in roads:
            number = 0
            for _ in range(min(per_road, count - len(addresses))):
                number += rng.randint(1, 4)
                addresses.append(f"{prefix}{road}{number}号")
        return addresses
    group = 1
    while len(addresses) < count:
        number = 0
        for _ in range(min(rng.randint(25, 40), count - len(addresses))):
            number += rng.randint(1, 3)
            addresses.append(f"{prefix}{group}组{number}号")
        group += 1
    return addresses
