"""Special populations of one village: civil-affairs benefits and justice's correction subjects."""

from __future__ import annotations

import datetime as dt
import random

from hub.simulator.clock import random_date
from hub.simulator.model import HISTORY_START, SIM_NOW, Benefit, CorrectionSubject, Household, Person

_TODAY = SIM_NOW.date()
_HISTORY_START_DAY = HISTORY_START.date()

# Monthly amounts in yuan. Hangzhou's 低保 line is about 1,310 yuan per person; 特困 support is
# 1.5 times that; the two disability subsidies are flat; left-behind registrations pay nothing.
_DIBAO_TOP_UP = range(300, 1311, 10)
_TEKUN_AMOUNT = "1965.00"
_DISABILITY_AMOUNTS = ("135.00", "270.00")
_NO_PAYMENT = "0.00"


def age_on(person: Person, day: dt.date) -> int:
    """Full years of age on `day`."""
    born = person.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def village_benefits(
    *, rng: random.Random, households: list[Household], persons: dict[str, Person]
) -> list[Benefit]:
    """Benefits at plausible rates, tied to who lives with whom (a child is left behind only when
    no parent-aged adult lives in the household)."""
    benefits: list[Benefit] = []
    for household in households:
        members = [persons[member.person_key] for member in household.members]
        ages = [age_on(person, _TODAY) for person in members]
        working_age_present = any(18 <= age < 60 for age in ages)
        parent_age_present = any(20 <= age <= 50 for age in ages)
        if rng.random() < 0.03:
            # 低保 is granted to the household; civil affairs lists every member.
            amount = f"{rng.choice(_DIBAO_TOP_UP)}.00"
            start, end = _period(rng, not_before=min(person.birth_date for person in members))
            benefits.extend(
                _benefit(rng, person, "低保", max(start, person.birth_date), end, amount, household)
                for person in members
            )
        for person, age in zip(members, ages, strict=True):
            if age >= 60 and len(members) == 1 and rng.random() < 0.3:
                benefits.append(
                    _benefit(
                        rng,
                        person,
                        "特困",
                        *_period(rng, not_before=person.birth_date),
                        _TEKUN_AMOUNT,
                        household,
                    )
                )
            if rng.random() < (0.04 if age >= 60 else 0.012):
                amount = rng.choice(_DISABILITY_AMOUNTS)
                benefits.append(
                    _benefit(
                        rng, person, "残疾人", *_period(rng, not_before=person.birth_date), amount, household
                    )
                )
            if age >= 65 and not working_age_present and rng.random() < 0.35:
                benefits.append(
                    _benefit(
                        rng,
                        person,
                        "留守老人",
                        *_period(rng, not_before=person.birth_date),
                        _NO_PAYMENT,
                        household,
                    )
                )
            if age < 16 and not parent_age_present and rng.random() < 0.9:
                benefits.append(
                    _benefit(
                        rng,
                        person,
                        "留守儿童",
                        *_period(rng, not_before=person.birth_date),
                        _NO_PAYMENT,
                        household,
                    )
                )
    return benefits


def _period(rng: random.Random, *, not_before: dt.date) -> tuple[dt.date, dt.date | None]:
    start = random_date(rng, max(dt.date(2015, 1, 1), not_before), _TODAY)
    if rng.random() < 0.15:
        end = start + dt.timedelta(days=rng.randint(180, 1800))
        if end < _TODAY:
            return start, end
    return start, None


def _benefit(
    rng: random.Random,
    person: Person,
    category: str,
    start: dt.date,
    end: dt.date | None,
    amount: str,
    household: Household,
) -> Benefit:
    changed_from = max(start, end or start, _HISTORY_START_DAY)
    return Benefit(
        person_key=person.key,
        category=category,
        start_date=start,
        end_date=end,
        monthly_amount=amount,
        hh_no=household.hh_no,
        updated_on=random_date(rng, changed_from, _TODAY + dt.timedelta(days=1)),
        legacy_id=person.birth_date.year < 1990 and rng.random() < 0.1,
        date_style=rng.choice(("cjk", "slash")),
    )


def village_corrections(
    *, rng: random.Random, village_code: str, persons: list[Person]
) -> list[CorrectionSubject]:
    """社区矫正 and 刑满释放 subjects among adults, mostly men, at about national rates."""
    subjects: list[CorrectionSubject] = []
    for person in persons:
        if not 18 <= age_on(person, _TODAY) <= 70:
            continue
        weight = 1.7 if person.sex == "1" else 0.3
        draw = rng.random()
        if draw < 0.0012 * weight:
            start = random_date(rng, dt.date(2023, 1, 1), _TODAY)
            term_end = start + dt.timedelta(days=rng.randint(180, 1080))  # planned, may lie ahead
            subjects.append(_subject(rng, person, "correction", start, term_end, village_code))
        elif draw < 0.0042 * weight:
            start = random_date(rng, dt.date(2019, 1, 1), _TODAY)
            # 安置帮教 lasts five years after release.
            aftercare_end = start + dt.timedelta(days=5 * 365 + 1)
            ended = aftercare_end if aftercare_end < _TODAY else None
            subjects.append(_subject(rng, person, "released", start, ended, village_code))
    return subjects


def _subject(
    rng: random.Random,
    person: Person,
    subject_type: str,
    start: dt.date,
    end: dt.date | None,
    village_code: str,
) -> CorrectionSubject:
    changed = dt.datetime.combine(max(start, _HISTORY_START_DAY), dt.time(9), SIM_NOW.tzinfo)
    return CorrectionSubject(
        person_key=person.key,
        subject_type=subject_type,
        start_date=start,
        end_date=end,
        division_code=village_code,
        updated_at=changed + dt.timedelta(days=rng.randint(0, max(0, (SIM_NOW - changed).days - 1))),
    )
