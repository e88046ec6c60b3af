"""The deterministic county generator: one seed and a scale give one county, byte for byte."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from hub.simulator import names
from hub.simulator.cases import village_cases
from hub.simulator.civility import village_moral_points, village_ratings
from hub.simulator.clock import derive_rng
from hub.simulator.divisions import VillagePlan, plan_divisions
from hub.simulator.model import (
    AssistanceApplication,
    Benefit,
    CorrectionSubject,
    County,
    Grid,
    GridWorker,
    Household,
    HouseholdRating,
    Incident,
    MediationCase,
    MoralPointEntry,
    Person,
    Petition,
)
from hub.simulator.numbering import assign_case_numbers
from hub.simulator.population import populate_village
from hub.simulator.tags import village_benefits, village_corrections

# The county every test and demo shares: small enough to generate in a blink, big enough to hold
# every kind of record and cross-department link.
GOLDEN_SEED = 20261126
GOLDEN_SCALE = 2000

MIN_SCALE = 100


def generate_county(*, seed: int, scale: int, workers: int = 1) -> County:
    """The county of `scale` persons for `seed`: the same arguments always give an equal County.

    Each village draws from its own random streams derived from (seed, village code), so a village's
    people and cases do not depend on the villages generated before it — which is also what lets
    `workers` > 1 generate villages in parallel processes with an identical result.
    """
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE} persons, got {scale}")
    divisions, villages = plan_divisions(rng=derive_rng(seed, "divisions"), scale=scale)
    # A village holds exactly its target, so every village's first person number is known upfront.
    firsts = list(itertools.accumulate((v.person_target for v in villages[:-1]), initial=1))
    jobs = [(seed, village, len(villages), first) for village, first in zip(villages, firsts, strict=True)]
    persons: list[Person] = []
    households: list[Household] = []
    grids: list[Grid] = []
    benefits: list[Benefit] = []
    corrections: list[CorrectionSubject] = []
    incidents: list[Incident] = []
    mediations: list[MediationCase] = []
    petitions: list[Petition] = []
    assistance: list[AssistanceApplication] = []
    ratings: list[HouseholdRating] = []
    moral_points: list[MoralPointEntry] = []
    with contextlib.ExitStack() as stack:
        if workers > 1 and len(villages) > 1:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers))
            generated: Iterable[_VillageContent] = pool.map(_generate_village, jobs, chunksize=1)
        else:
            generated = map(_generate_village, jobs)
        for content in generated:
            persons += content.persons
            households += content.households
            grids += content.grids
            benefits += content.benefits
            corrections += content.corrections
            incidents += content.incidents
            mediations += content.mediations
            petitions += content.petitions
            assistance += content.assistance
            ratings += content.ratings
            moral_points += content.moral_points
    numbered = assign_case_numbers(incidents, mediations, petitions, assistance)
    return County(
        seed=seed,
        scale=scale,
        divisions=tuple(divisions),
        grids=tuple(grids),
        grid_workers=_grid_workers(seed, grids),
        persons=tuple(persons),
        households=tuple(households),
        benefits=tuple(benefits),
        corrections=tuple(corrections),
        incidents=numbered[0],
        mediations=numbered[1],
        petitions=numbered[2],
        assistance=numbered[3],
        ratings=tuple(ratings),
        moral_points=tuple(moral_points),
    )


@dataclass(frozen=True, slots=True)
class _VillageContent:
    persons: list[Person]
    households: list[Household]
    grids: list[Grid]
    benefits: list[Benefit]
    corrections: list[CorrectionSubject]
    incidents: list[Incident]
    mediations: list[MediationCase]
    petitions: list[Petition]
    assistance: list[AssistanceApplication]
    ratings: list[HouseholdRating]
    moral_points: list[MoralPointEntry]


def _generate_village(job: tuple[int, VillagePlan, int, int]) -> _VillageContent:
    """Everything of one village, from its own random streams (a module function, so a worker
    process can run it)."""
    seed, village, village_count, first_person_number = job
    population = populate_village(
        rng=derive_rng(seed, village.code, "people"),
        village=village,
        village_count=village_count,
        first_person_number=first_person_number,
    )
    by_key = {person.key: person for person in population.persons}
    benefits = village_benefits(
        rng=derive_rng(seed, village.code, "benefits"), households=population.households, persons=by_key
    )
    cases = village_cases(
        rng=derive_rng(seed, village.code, "cases"),
        village_code=village.code,
        persons=population.persons,
        households=population.households,
        benefits=benefits,
    )
    corrections = village_corrections(
        rng=derive_rng(seed, village.code, "justice"), village_code=village.code, persons=population.persons
    )
    # Streams of their own, so that adding ratings and points changed nothing drawn before them.
    ratings = village_ratings(
        rng=derive_rng(seed, village.code, "ratings"),
        village=village,
        households=population.households,
        persons=by_key,
    )
    moral_points = village_moral_points(
        rng=derive_rng(seed, village.code, "moral-bank"), households=population.households, persons=by_key
    )
    return _VillageContent(
        population.persons,
        population.households,
        population.grids,
        benefits,
        corrections,
        cases.incidents,
        cases.mediations,
        cases.petitions,
        cases.assistance,
        ratings,
        moral_points,
    )


def _grid_workers(seed: int, grids: list[Grid]) -> tuple[GridWorker, ...]:
    """One worker per grid (micro-grids are looked after by volunteer 微网格长, not staff)."""
    workers: list[GridWorker] = []
    for grid in grids:
        if grid.level != "grid":
            continue
        rng = derive_rng(seed, grid.code, "worker")
        workers.append(
            GridWorker(
                worker_id=f"GW{len(workers) + 1:06d}",
                name=names.person_name(rng, sex=rng.choice("12")),
                phone=names.mobile_phone(rng),
                grid_code=grid.code,
                updated_at=grid.updated_at,
            )
        )
    return tuple(workers)
