"""Every code the simulated county's departments write is in the reference tables."""

from __future__ import annotations

import functools

from hub.reference import load_table
from hub.simulator.catalog import STREAMS_BY_NAME
from hub.simulator.county import GOLDEN_SCALE, GOLDEN_SEED, generate_county
from hub.simulator.model import County


@functools.cache
def golden() -> County:
    return generate_county(seed=GOLDEN_SEED, scale=GOLDEN_SCALE)


def test_person_codes_are_national_standard_codes() -> None:
    county = golden()
    assert {person.sex for person in county.persons} <= load_table("sex").codes()
    assert {person.ethnicity for person in county.persons} <= load_table("ethnicity").codes()
    relations = {member.relation for household in county.households for member in household.members}
    assert relations <= load_table("family_relation").codes()


def test_public_security_codes_are_known() -> None:
    county = golden()
    assert {i.kind for i in county.incidents} <= load_table("case_kinds").source_values("public_security")
    assert {i.category for i in county.incidents} <= load_table("case_categories").source_values(
        "public_security"
    )
    assert {i.status for i in county.incidents} <= load_table("case_statuses").source_values(
        "public_security"
    )
    roles = {party.role for incident in county.incidents for party in incident.parties}
    assert roles <= load_table("party_roles").source_values("public_security")


def test_justice_codes_are_known() -> None:
    county = golden()
    assert {m.case_type for m in county.mediations} <= load_table("case_categories").source_values("justice")
    assert {m.status for m in county.mediations} <= load_table("case_statuses").source_values("justice")
    assert {m.level for m in county.mediations} <= load_table("resolution_levels").source_values("justice")
    results = {m.result for m in county.mediations if m.result}
    assert results <= load_table("case_outcomes").source_values("justice")
    roles = {party.role for mediation in county.mediations for party in mediation.parties}
    assert roles <= load_table("party_roles").source_values("justice")
    kinds = {subject.subject_type for subject in county.corrections}
    assert kinds <= load_table("tag_sources").source_values("justice")


def test_petition_codes_are_known() -> None:
    county = golden()
    assert {p.category for p in county.petitions} <= load_table("case_categories").source_values("petitions")
    assert {p.channel for p in county.petitions} <= load_table("petition_channels").codes()
    versions = [version for petition in county.petitions for version in petition.versions]
    assert {v.status for v in versions} <= load_table("case_statuses").source_values("petitions")
    assert {v.satisfaction for v in versions if v.satisfaction} <= load_table("satisfaction").codes()
    assert {v.assigned_to for v in versions if v.assigned_to} <= load_table("departments").codes()


def test_civil_affairs_codes_are_known() -> None:
    county = golden()
    assert {b.category for b in county.benefits} <= load_table("tag_sources").source_values("civil_affairs")
    types = {a.assistance_type for a in county.assistance}
    assert types <= load_table("case_categories").source_values("civil_affairs")
    assert {a.status for a in county.assistance} <= load_table("case_statuses").source_values("civil_affairs")
    reasons = {entry.label_zh for entry in load_table("moral_point_reasons")}
    assert {e.reason for e in county.moral_points} <= reasons


def test_division_and_grid_levels_are_known() -> None:
    county = golden()
    levels = {d.level for d in county.divisions} | {g.level for g in county.grids}
    assert levels <= load_table("division_levels").codes()


def test_codes_noise_injects_as_unknown_are_unknown_to_the_national_tables() -> None:
    tables = {
        "members[].sex": "sex",
        "members[].nation": "ethnicity",
        "members[].relation": "family_relation",
    }
    shape = STREAMS_BY_NAME["households"].shape
    assert shape is not None
    injected = dict(shape.codes)

    assert set(injected) == set(tables)
    for path, table in tables.items():
        assert not set(injected[path]) & load_table(table).codes(), path
