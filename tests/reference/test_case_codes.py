"""Case kinds and case-link relations are code tables: the canonical types, the mappings and the suites
all take them from `case_kind_codes` and `case_link_relations`."""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from hub.quality.suites import load_suites, suite_parameters
from hub.reference import UnknownCode, known_code, load_table
from hub.simulator import County
from hub.simulator.departments import civil_affairs as served_civil_affairs
from hub.simulator.departments import justice as served_justice
from hub.simulator.departments import petitions as served_petitions
from hub.simulator.departments import public_security as served_public_security
from hub.sources import canonical
from hub.sources.canonical import CaseKind, CaseRecord, Department
from hub.sources.civil_affairs.mapping import map_assistance
from hub.sources.civil_affairs.records import AssistanceRow
from hub.sources.justice.mapping import map_mediation_case
from hub.sources.justice.records import MediationCasePayload
from hub.sources.petitions.mapping import map_petition
from hub.sources.petitions.records import PetitionPayload
from hub.sources.public_security.mapping import map_incident
from hub.sources.public_security.records import IncidentPayload

SOURCES = Path(canonical.__file__).parent
# The rules that check a case's kind and a link's relation, and the reference column they must take.
CODE_RULES = {
    "cases.kind_known": "ref__case_kind_codes__code",
    "stg_cases.kind_known": "ref__case_kind_codes__code",
    "case_links.relation_known": "ref__case_link_relations__code",
    "stg_case_links.relation_known": "ref__case_link_relations__code",
}


def every_mapped_case(county: County) -> Iterator[CaseRecord]:
    """Every case the four departments serve for `county`, through its department's mapping."""
    for record in served_public_security.incident_records(county):
        yield map_incident(cast(IncidentPayload, record.item))
    for record in served_justice.mediation_records(county):
        yield map_mediation_case(cast(MediationCasePayload, record.item))
    for record in served_civil_affairs.assistance_records(county):
        yield map_assistance(cast(AssistanceRow, record.item))
    for entry in served_petitions.feed_entries(county):
        yield map_petition(cast(PetitionPayload, json.loads(entry.line)))


def test_case_kind_enum_equals_its_code_table() -> None:
    assert {kind.value for kind in CaseKind} == load_table("case_kind_codes").codes()


def test_case_kinds_are_labelled_and_belong_to_a_department() -> None:
    departments = load_table("departments").codes()
    for entry in load_table("case_kind_codes"):
        assert entry.label_zh and entry["label_en"], entry.code
        assert entry["department"] in set(Department) and entry["department"] in departments, entry.code
    assert load_table("case_kind_codes").label("dispute") == "矛盾纠纷"


def test_public_security_kinds_translate_onto_kinds_of_public_security() -> None:
    kinds = load_table("case_kind_codes")
    for entry in load_table("case_kinds"):
        kind = kinds.get(entry["kind"])
        assert kind is not None, entry["kind"]
        assert kind["department"] == entry["department"]
        assert kind.label_zh == entry.label_zh


def test_link_relations_are_the_canonical_ones_with_labels() -> None:
    relations = load_table("case_link_relations")
    # CaseLinkRecord.relation documents referred_to | originated_from | related.
    assert relations.codes() == {"referred_to", "originated_from", "related"}
    assert all(entry.label_zh and entry["label_en"] for entry in relations)


def test_known_code_returns_a_code_of_the_table_and_refuses_others() -> None:
    assert known_code("case_link_relations", "referred_to") == "referred_to"
    with pytest.raises(UnknownCode, match="cousin_of"):
        known_code("case_link_relations", "cousin_of")


def test_every_mapped_case_has_a_kind_of_its_department_and_known_relations(golden_county: County) -> None:
    kinds, relations = load_table("case_kind_codes"), load_table("case_link_relations")
    seen_kinds: set[str] = set()
    seen_relations: set[str] = set()
    for case in every_mapped_case(golden_county):
        kind = kinds.get(case.kind.value)
        assert kind is not None and kind["department"] == case.department.value, case.case_no
        seen_kinds.add(case.kind.value)
        for link in case.links:
            assert link.relation in relations, (case.case_no, link.relation)
            seen_relations.add(link.relation)
    # The golden county exercises every kind and every relation a mapping sets today.
    assert seen_kinds == kinds.codes()
    assert seen_relations == {"referred_to", "originated_from"}


def _literal_codes_in_mappings() -> Iterator[str]:
    """`kind=` or `relation=` written as a string literal in a case or link of any mapping."""
    for path in sorted(SOURCES.glob("*/mapping.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in ("CaseRecord", "CaseLinkRecord", "CaseKind"):
                continue
            literals = [arg for arg in node.args if isinstance(arg, ast.Constant)]
            literals += [
                kw.value
                for kw in node.keywords
                if kw.arg in ("kind", "relation") and isinstance(kw.value, ast.Constant)
            ]
            for literal in literals:
                yield f"{path.parent.name}/mapping.py:{literal.lineno}: {name}(… {literal.value!r} …)"


def test_no_mapping_writes_a_kind_or_relation_as_a_literal() -> None:
    assert list(_literal_codes_in_mappings()) == []


def test_suites_take_kinds_and_relations_from_the_tables() -> None:
    rules = {rule.rule: rule for suite in load_suites() for rule in suite.rules}
    for name, parameter in CODE_RULES.items():
        assert rules[name].kwargs["value_set"] == {"$PARAMETER": parameter}, name
    values = suite_parameters(set(CODE_RULES.values()), today=dt.date(2026, 11, 26))
    assert set(values["ref__case_kind_codes__code"]) == {kind.value for kind in CaseKind}
    assert set(values["ref__case_link_relations__code"]) == load_table("case_link_relations").codes()
