"""The case view: any department's case with its parties, linked cases, timeline and deadline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from hub.simulator.model import County, MediationCase
from hub.warehouse.cases.service import today_in_china
from hub.warehouse.viewer import Role, Viewer
from tests.api.paging import every_node
from tests.support.graphql import counting_statements, execute

ALL = """
query($after: String, $filter: CaseFilterInput) {
  cases(first: 100, after: $after, filter: $filter) {
    edges { node { id caseNo department kind status resolutionLevel openedAt deadline isOpen overdue
                   grid { code } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

CASE = """
query($id: ID!) {
  case(id: $id) {
    caseNo department departmentLabel kind status statusLabel deadline overdue satisfaction
    parties { role person { idNumber } }
    linkedCases { caseNo department }
    links { relation targetCaseNo }
    events { at status }
  }
}"""


def test_every_case_of_the_county_is_listed_once(engine: Engine, golden_county: County) -> None:
    cases = every_node(ALL, "cases", engine=engine)

    assert sorted(c["caseNo"] for c in cases) == sorted(golden_county.cases_by_no)


def test_case_filters_select_what_the_full_list_holds(engine: Engine, golden_county: County) -> None:
    cases = every_node(ALL, "cases", engine=engine)
    village = golden_county.grids[0].division_code
    opened_from = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    checks = {
        "departments": (
            {"departments": ["JUSTICE", "PETITIONS"]},
            lambda c: c["department"] in {"JUSTICE", "PETITIONS"},
        ),
        "statuses": ({"statuses": ["FOLLOWED_UP"]}, lambda c: c["status"] == "FOLLOWED_UP"),
        "levels": ({"resolutionLevels": ["VILLAGE"]}, lambda c: c["resolutionLevel"] == "VILLAGE"),
        "subtree": (
            {"gridCode": village},
            lambda c: c["grid"] is not None and c["grid"]["code"].startswith(village),
        ),
        "opened": (
            {"openedFrom": opened_from.isoformat()},
            lambda c: dt.datetime.fromisoformat(c["openedAt"]) >= opened_from,
        ),
        "open": ({"isOpen": True}, lambda c: c["isOpen"]),
        "overdue": ({"overdue": True}, lambda c: c["overdue"]),
        "kind": (
            {"kinds": ["DISPUTE"], "overdue": False},
            lambda c: c["kind"] == "DISPUTE" and not c["overdue"],
        ),
    }
    for name, (where, keep) in checks.items():
        filtered = every_node(ALL, "cases", engine=engine, variables={"filter": where})
        assert [c["caseNo"] for c in filtered] == [c["caseNo"] for c in cases if keep(c)], name


def test_overdue_means_open_past_the_deadline(engine: Engine) -> None:
    today = today_in_china()
    for case in every_node(ALL, "cases", engine=engine):
        deadline = dt.date.fromisoformat(case["deadline"]) if case["deadline"] else None
        assert case["overdue"] == (case["isOpen"] and deadline is not None and deadline < today)
        assert case["isOpen"] == (case["status"] in {"RECEIVED", "ASSIGNED", "IN_PROGRESS"})


def test_case_view_has_parties_linked_cases_and_timeline(engine: Engine, golden_county: County) -> None:
    listed = {c["caseNo"]: c["id"] for c in every_node(ALL, "cases", engine=engine)}
    mediation = next(
        m for m in golden_county.mediations if m.source_petition_no and m.source_petition_no in listed
    )

    view = execute(CASE, engine=engine, variables={"id": listed[mediation.case_no]}).data["case"]

    assert view["department"] == "JUSTICE" and view["departmentLabel"] == "司法"
    persons = golden_county.persons_by_key
    assert sorted(p["person"]["idNumber"] for p in view["parties"]) == sorted(
        persons[key].id_number for key in golden_county.case_parties(mediation)
    )
    assert mediation.source_petition_no in {c["caseNo"] for c in view["linkedCases"]}
    assert "PETITIONS" in {c["department"] for c in view["linkedCases"]}
    times = [e["at"] for e in view["events"]]
    assert times == sorted(times) and view["events"][0]["status"] == "RECEIVED"


def test_a_petition_shows_its_deadline_and_satisfaction(engine: Engine, golden_county: County) -> None:
    listed = {c["caseNo"]: c["id"] for c in every_node(ALL, "cases", engine=engine)}
    petition = next(p for p in golden_county.petitions if p.current.satisfaction and p.petition_no in listed)

    view = execute(CASE, engine=engine, variables={"id": listed[petition.petition_no]}).data["case"]

    assert view["deadline"] == petition.deadline.isoformat()
    assert view["satisfaction"] == petition.current.satisfaction.upper()


def test_department_officer_sees_only_their_departments_cases(engine: Engine, golden_county: County) -> None:
    officer = Viewer(user_id="sf-1", role=Role.DEPARTMENT_OFFICER, department="justice")

    cases = every_node(ALL, "cases", engine=engine, viewer=officer)

    expected = [m.case_no for m in golden_county.mediations]
    assert sorted(c["caseNo"] for c in cases) == sorted(expected)
    assert all(isinstance(golden_county.cases_by_no[c["caseNo"]], MediationCase) for c in cases)


def test_a_page_of_cases_with_timelines_costs_the_same_statements_whatever_its_size(engine: Engine) -> None:
    query = """query($first: Int!) { cases(first: $first) { edges { node {
        parties { role person { name } } linkedCases { caseNo } events { status } grid { code } } } } }"""
    with counting_statements(engine) as small:
        assert execute(query, engine=engine, variables={"first": 5}).errors is None
    with counting_statements(engine) as large:
        assert execute(query, engine=engine, variables={"first": 100}).errors is None

    assert len(large) == len(small) <= 8


VIEW = """
query($id: ID!) {
  case(id: $id) {
    caseNo parties { role person { name idNumber } } linkedCases { caseNo department events { status } }
    events { status }
  }
}"""


def test_a_case_view_reads_each_relation_with_what_it_names_in_one_statement(
    engine: Engine, golden_county: County
) -> None:
    listed = {c["caseNo"]: c["id"] for c in every_node(ALL, "cases", engine=engine)}
    mediation = next(
        m for m in golden_county.mediations if m.source_petition_no and m.source_petition_no in listed
    )

    with counting_statements(engine) as statements:
        view = execute(VIEW, engine=engine, variables={"id": listed[mediation.case_no]})

    assert view.errors is None and view.data["case"]["parties"] and view.data["case"]["linkedCases"]
    # The case; its parties with their persons; its links with the cases at their other ends; the
    # events of all those cases; the access log.
    assert len(statements) == 5


def test_linked_cases_leave_out_what_the_viewer_may_not_see(engine: Engine, golden_county: County) -> None:
    listed = {c["caseNo"]: c["id"] for c in every_node(ALL, "cases", engine=engine)}
    mediation = next(
        m for m in golden_county.mediations if m.source_petition_no and m.source_petition_no in listed
    )
    officer = Viewer(user_id="sf-2", role=Role.DEPARTMENT_OFFICER, department="justice")
    variables = {"id": listed[mediation.case_no]}

    as_admin = execute(VIEW, engine=engine, variables=variables).data["case"]
    as_officer = execute(VIEW, engine=engine, variables=variables, viewer=officer).data["case"]

    assert mediation.source_petition_no in {c["caseNo"] for c in as_admin["linkedCases"]}
    assert as_officer["linkedCases"] == [c for c in as_admin["linkedCases"] if c["department"] == "JUSTICE"]
    assert [p["role"] for p in as_officer["parties"]] == [p["role"] for p in as_admin["parties"]]
