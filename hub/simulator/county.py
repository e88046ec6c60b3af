"""The deterministic county generator: one seed and a scale give one county, byte for byte."""

from __future__ import annotations

from hub.simulator import names
from hub.simulator.cases import village_cases
from hub.simulator.clock import derive_rng
from hub.simulator.divisions import plan_divisions
from hub.simulator.model import (
    AssistanceApplication,
    Benefit,
    CorrectionSubject,
    County,
    Grid,
    GridWorker,
    Household,
    Incident,
    MediationCase,
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


def generate_county(*, seed: int, scale: int) -> County:
    """The county of `scale` persons for `seed`: the same arguments always give an equal County.

    Each village draws from its own random streams derived from (seed, village code), so a village's
    people and cases do not depend on the villages generated before it.
    """
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE} persons, got {scale}")
    divisions, villages = plan_divisions(rng=derive_rng(seed, "divisions"), scale=scale)
    persons: list[Person] = []
    households: list[Household] = []
    grids: list[Grid] = []
    benefits: list[Benefit] = []
    corrections: list[CorrectionSubject] = []
    incidents: list[Incident] = []
    mediations: list[MediationCase] = []
    petitions: list[Petition] = []
    assistance: list[AssistanceApplication] = []
    for village in villages:
        population = populate_village(
            rng=derive_rng(seed, village.code, "people"),
            village=village,
            village_count=len(villages),
            first_person_number=len(persons) + 1,
        )
        by_key = {person.key: person for person in population.persons}
        village_benefit_rows = village_benefits(
            rng=derive_rng(seed, village.code, "benefits"), households=population.households, persons=by_key
        )
        cases = village_cases(
            rng=derive_rng(seed, village.code, "cases"),
            village_code=village.code,
            persons=population.persons,
            households=population.households,
            benefits=village_benefit_rows,
        )
        persons += population.persons
        households += population.households
        grids += population.grids
        benefits += village_benefit_rows
        corrections += village_corrections(
            rng=derive_rng(seed, village.code, "justice"),
            village_code=village.code,
            persons=population.persons,
        )
        incidents += cases.incidents
        mediations += cases.mediations
        petitions += cases.petitions
        assistance += cases.assistance
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
