from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from stdnum.cn import ric

from hub.simulator import SIM_NOW, County, generate_county
from hub.simulator.identity import COUNTY_REGION
from hub.simulator.model import AssistanceApplication, Benefit, Case, Incident, MediationCase, Petition


def test_same_seed_and_scale_give_equal_county() -> None:
    assert generate_county(seed=7, scale=400) == generate_county(seed=7, scale=400)


def test_different_seed_gives_different_county() -> None:
    first, second = generate_county(seed=7, scale=400), generate_county(seed=8, scale=400)
    assert first.persons != second.persons
    assert first.incidents != second.incidents


def test_scale_is_the_number_of_persons(golden_county: County) -> None:
    assert len(golden_county.persons) == golden_county.scale == 2000
    assert sum(len(household.members) for household in golden_county.households) == 2000


def test_scale_below_minimum_is_rejected() -> None:
    with pytest.raises(ValueError, match="scale"):
        generate_county(seed=1, scale=10)


def test_every_id_number_passes_stdnum(golden_county: County) -> None:
    invalid = [person.id_number for person in golden_county.persons if not ric.is_valid(person.id_number)]
    assert invalid == []


def test_id_numbers_and_truth_keys_are_unique_and_distinct(golden_county: County) -> None:
    ids = [person.id_number for person in golden_county.persons]
    keys = [person.key for person in golden_county.persons]
    assert len(set(ids)) == len(ids)
    assert len(set(keys)) == len(keys)
    assert not set(ids) & set(keys)


def test_id_number_encodes_birth_date_and_sex(golden_county: County) -> None:
    for person in golden_county.persons:
        assert ric.get_birth_date(person.id_number) == person.birth_date
        assert int(person.id_number[16]) % 2 == (1 if person.sex == "1" else 0)


def test_legacy_ids_upgrade_to_the_valid_number(golden_county: County) -> None:
    legacy = [
        (person, person.legacy_id_number) for person in golden_county.persons if person.birth_date.year < 1990
    ]
    assert legacy
    for person, number in legacy:
        assert number is not None and len(number) == 15
        body = number[:6] + "19" + number[6:]
        upgraded = body + ric.calc_check_digit(body + "0")
        assert ric.is_valid(upgraded)
        assert upgraded == person.id_number


def test_each_household_has_exactly_one_head(golden_county: County) -> None:
    heads = Counter(
        household.hh_no
        for household in golden_county.households
        for m in household.members
        if m.relation == "02"
    )
    assert all(heads[household.hh_no] == 1 for household in golden_county.households)


def test_relations_are_gbt_4761_codes(golden_county: County) -> None:
    relations = {member.relation for household in golden_county.households for member in household.members}
    assert relations <= {"02", "10", "20", "30", "40", "50", "70", "99"}


def test_household_sizes_and_ages_are_plausible(golden_county: County) -> None:
    sizes = [len(household.members) for household in golden_county.households]
    assert 2.3 <= sum(sizes) / len(sizes) <= 3.5
    ages = [(SIM_NOW.date() - person.birth_date).days / 365.25 for person in golden_county.persons]
    assert 0.15 <= sum(age >= 60 for age in ages) / len(ages) <= 0.4
    assert 0.08 <= sum(age < 15 for age in ages) / len(ages) <= 0.25
    assert max(ages) < 100


def test_migrants_are_born_elsewhere_and_make_ten_to_twenty_percent(golden_county: County) -> None:
    born_elsewhere = [person for person in golden_county.persons if person.id_number[:6] != COUNTY_REGION]
    assert 0.10 <= len(born_elsewhere) / len(golden_county.persons) <= 0.20
    assert all(p.id_number[:6] != COUNTY_REGION for p in golden_county.persons if p.residency == "migrant")


def test_division_codes_follow_the_statistical_ranges(golden_county: County) -> None:
    by_level = Counter(division.level for division in golden_county.divisions)
    assert by_level["province"] == by_level["city"] == by_level["county"] == 1
    for division in golden_county.divisions:
        assert len(division.code) == 12
        if division.level == "township":
            assert division.code[:6] == COUNTY_REGION and division.code[9:] == "000"
            assert 1 <= int(division.code[6:9]) <= 399
        if division.level == "village":
            assert division.parent_code == division.code[:9] + "000"
            number = int(division.code[9:])
            assert 1 <= number <= 399
            assert division.name.endswith("社区" if number < 200 else "村")


def test_grid_codes_sit_under_real_villages(golden_county: County) -> None:
    villages = {division.code for division in golden_county.divisions if division.level == "village"}
    grids = {grid.code: grid for grid in golden_county.grids}
    for grid in golden_county.grids:
        if grid.level == "grid":
            assert len(grid.code) == 15 and grid.code[:12] == grid.division_code and grid.parent_code is None
        else:
            assert len(grid.code) == 17 and grid.parent_code == grid.code[:15] and grid.parent_code in grids
        assert grid.division_code in villages
    assert villages == {grid.division_code for grid in golden_county.grids if grid.level == "grid"}


def test_every_grid_has_one_worker(golden_county: County) -> None:
    workers = Counter(worker.grid_code for worker in golden_county.grid_workers)
    assert workers == Counter(grid.code for grid in golden_county.grids if grid.level == "grid")


def test_households_sit_in_micro_grids_of_ten_to_thirty_in_their_village(golden_county: County) -> None:
    per_micro = Counter(household.micro_grid_code for household in golden_county.households)
    assert all(10 <= count <= 30 for count in per_micro.values())
    for household in golden_county.households:
        assert golden_county.grids_by_code[household.micro_grid_code].division_code == household.division_code
        assert household.hh_no.startswith(household.division_code) and len(household.hh_no) == 18
    addresses = [household.address for household in golden_county.households]
    assert len(set(addresses)) == len(addresses)


def test_special_populations_appear_at_plausible_rates(golden_county: County) -> None:
    categories = Counter(benefit.category for benefit in golden_county.benefits)
    assert set(categories) == {"低保", "特困", "残疾人", "留守老人", "留守儿童"}
    assert 0.03 <= len(golden_county.tags_by_person) / len(golden_county.persons) <= 0.2
    subject_types = Counter(subject.subject_type for subject in golden_county.corrections)
    assert set(subject_types) == {"correction", "released"}
    assert sum(subject_types.values()) <= 0.01 * len(golden_county.persons)


def test_left_behind_children_live_without_parent_aged_adults(golden_county: County) -> None:
    for benefit in golden_county.benefits:
        if benefit.category != "留守儿童":
            continue
        household = golden_county.households_by_no[benefit.hh_no]
        births = [golden_county.persons_by_key[m.person_key].birth_date for m in household.members]
        assert not any(20 <= (SIM_NOW.date() - born).days // 365.25 <= 50 for born in births)


def test_about_a_tenth_of_civil_rows_for_people_born_before_1990_carry_legacy_ids(
    golden_county: County,
) -> None:
    rows: list[Benefit | AssistanceApplication] = [*golden_county.benefits, *golden_county.assistance]
    older = [row for row in rows if golden_county.persons_by_key[row.person_key].birth_date.year < 1990]
    legacy = [row for row in rows if row.legacy_id]
    assert all(golden_county.persons_by_key[row.person_key].birth_date.year < 1990 for row in legacy)
    assert 0.03 <= len(legacy) / len(older) <= 0.2


def test_every_kind_of_case_exists(golden_county: County) -> None:
    assert Counter(incident.kind for incident in golden_county.incidents).keys() == {"1", "2", "3"}
    assert golden_county.mediations and golden_county.petitions and golden_county.assistance
    channels = {petition.channel for petition in golden_county.petitions}
    assert channels == {"letter", "visit", "web", "12345"}


def test_case_parties_are_people_of_the_county(golden_county: County) -> None:
    for case in golden_county.cases:
        assert all(key in golden_county.persons_by_key for key in golden_county.case_parties(case))


def test_nothing_happens_after_simulated_now(golden_county: County) -> None:
    moments: list[dt.datetime] = [household.updated_at for household in golden_county.households]
    for case in golden_county.cases:
        match case:
            case Incident():
                moments += [case.reported_at, case.updated_at, *([case.closed_at] if case.closed_at else [])]
            case MediationCase():
                moments += [case.accepted_at, case.updated_at]
            case Petition():
                moments += [version.changed_at for version in case.versions]
            case AssistanceApplication():
                assert case.updated_on <= SIM_NOW.date()
    assert max(moments) <= SIM_NOW


def test_petition_versions_follow_the_lifecycle(golden_county: County) -> None:
    order = ["received", "assigned", "handling", "replied", "closed"]
    for petition in golden_county.petitions:
        statuses = [version.status for version in petition.versions]
        assert statuses == order[: len(statuses)]
        changes = [version.changed_at for version in petition.versions]
        assert changes == sorted(changes)
        assert petition.deadline == petition.received_at.date() + dt.timedelta(days=60)
        assert (petition.current.satisfaction is not None) == (petition.current.status == "closed")


def test_repeat_flag_marks_petitioners_seen_before(golden_county: County) -> None:
    seen: set[str] = set()
    for petition in sorted(golden_county.petitions, key=lambda p: (p.received_at, p.petition_no)):
        assert petition.is_repeat == (petition.petitioner_key in seen)
        seen.add(petition.petitioner_key)


def test_cross_department_links_resolve_to_existing_cases(golden_county: County) -> None:
    cases = golden_county.cases_by_no
    from_petitions = [m for m in golden_county.mediations if m.source_petition_no]
    from_incidents = [m for m in golden_county.mediations if m.source_incident_no]
    citing = [a for a in golden_county.assistance if a.related_case_no]
    assert from_petitions and from_incidents and citing
    for mediation in from_petitions:
        petition = cases[mediation.source_petition_no or ""]
        assert isinstance(petition, Petition)
        assert petition.current.referred_case_no == mediation.case_no
        assert petition.petitioner_key in golden_county.case_parties(mediation)
    for mediation in from_incidents:
        incident = cases[mediation.source_incident_no or ""]
        assert isinstance(incident, Incident)
        assert mediation.accepted_at >= incident.reported_at
    for petition in golden_county.petitions:
        if petition.current.referred_case_no:
            assert isinstance(cases[petition.current.referred_case_no], MediationCase)
    for application in citing:
        cited = cases[application.related_case_no or ""]
        assert isinstance(cited, Petition | Incident)
        assert application.person_key in golden_county.case_parties(cited)


def test_several_golden_households_hold_a_benefit_and_a_justice_or_petition_case(
    golden_county: County,
) -> None:
    involved = {subject.person_key for subject in golden_county.corrections}
    cases: list[Case] = [*golden_county.mediations, *golden_county.petitions]
    for case in cases:
        involved.update(golden_county.case_parties(case))
    tagged = {benefit.person_key for benefit in golden_county.benefits}
    households = {golden_county.household_of_person[key].hh_no for key in tagged & involved}
    assert len(households) >= 5


def test_case_numbers_follow_department_formats(golden_county: County) -> None:
    for incident in golden_county.incidents:
        assert incident.incident_no[:7] == "J330122" and len(incident.incident_no) == 19
        assert incident.incident_no[7:15] == incident.reported_at.strftime("%Y%m%d")
    for mediation in golden_county.mediations:
        assert (
            mediation.case_no.startswith(f"TJ330122{mediation.accepted_at.year}")
            and len(mediation.case_no) == 18
        )
    for petition in golden_county.petitions:
        assert petition.petition_no.startswith(f"XF330122{petition.received_at.year}")
        assert len(petition.petition_no) == 18


def test_parallel_generation_gives_the_same_county() -> None:
    assert generate_county(seed=4, scale=600, workers=2) == generate_county(seed=4, scale=600)
