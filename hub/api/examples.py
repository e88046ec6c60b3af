"""Example queries for each view: GraphiQL opens with them as tabs, and the README shows them.

`tests/api/test_examples.py` runs every one against the golden county, so they stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExampleQuery:
    title: str
    query: str


HOUSEHOLD_VIEW = ExampleQuery(
    "Household view",
    """\
# A household across public security, civil affairs, justice and petitions.
# Refetch one with household(id: "…") using an id from this list.
query HouseholdView {
  households(first: 1, filter: {hasTagFrom: CIVIL_AFFAIRS, hasCaseFrom: JUSTICE}) {
    edges { node {
      id hhNo address
      grid { code name path { level name } workers { name phone } }
      head { name }
      members { relationLabel person { name idNumber sexLabel birthDate } }
      tags { kind label department current validFrom validTo }
      benefits { label amount }
      rating { stars year assessedBy }
      moralPoints { balance asOf entries(first: 5) { recordedOn reasonLabel points } }
      caseCount
      cases(first: 20) { caseNo departmentLabel kind status overdue openedAt }
      timeline(first: 20) { at kind label status case { caseNo } person { name } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
""",
)

GRID_DASHBOARD = ExampleQuery(
    "Grid dashboard",
    """\
# Grids with their counts: households, persons, tags by kind, open and overdue cases by department.
query GridDashboard {
  grids(first: 10, level: GRID) {
    edges { node {
      code name
      path { level name }
      workers { name phone }
      children { code name }
      statistics {
        households persons openCases overdueCases
        tagsByKind { kind label persons }
        casesByDepartment { department departmentLabel open overdue }
      }
      households(first: 5, filter: {hasOpenCases: true}) { edges { node { hhNo address } } }
    } }
  }
}
""",
)

CASE_VIEW = ExampleQuery(
    "Case view",
    """\
# Mediation cases with parties, the petitions or incidents they came from, and their timeline.
query CaseView {
  cases(first: 5, filter: {departments: [JUSTICE]}) {
    edges { node {
      id caseNo departmentLabel kind category status statusLabel resolutionLevel
      openedAt closedAt deadline overdue satisfaction
      grid { code name }
      parties { role person { name idNumber } }
      linkedCases { caseNo departmentLabel status }
      links { relation targetCaseNo }
      events { at status statusLabel note }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
""",
)

PERSON_VIEW = ExampleQuery(
    "Person view",
    """\
# Persons holding a current 低保 benefit: identity (masked unless your role may see it),
# households, tags, cases and which sources say what.
query PersonView {
  persons(first: 5, filter: {tagKinds: [SUBSISTENCE_ALLOWANCE]}) {
    edges { node {
      id name idNumber sexLabel birthDate phone
      households { hhNo address }
      tags { kind label department current amount }
      caseCount
      cases(first: 10) { caseNo departmentLabel status }
      sources { department recordId nameAsSent idNumberAsSent }
    } }
  }
}
""",
)

OVERDUE_CASES = ExampleQuery(
    "Overdue cases",
    """\
# Open cases past their deadline, opened since 2026, under a division code prefix (the county here;
# nine digits narrow it to a township, twelve to a village).
query OverdueCases {
  cases(first: 20, filter: {overdue: true, gridCode: "330122", openedFrom: "2026-01-01T00:00:00+08:00"}) {
    edges { node { caseNo departmentLabel status deadline grid { code name } } }
  }
}
""",
)

DATA_QUALITY = ExampleQuery(
    "Data quality (auditors)",
    """\
# For auditors and administrators: quality runs with their pass rates, the latest run's results per
# suite and rule, reconciliation per source stream and held-back rows, and quarantined source records.
# Personal data is masked. Open an older run with qualityRun(id: "…") using an id from the list.
query DataQuality {
  qualityRuns(first: 5) {
    edges { node { id runId trigger status startedAt passRate expectationsFailed rowsFailed } }
    pageInfo { hasNextPage endCursor }
  }
  qualityRun {
    run { id status passRate }
    suites { suite table success results { rule level success unexpectedCount reason } }
    reconciliation { sourceSystemLabel stream landed published quarantined unaccounted flagged reconciles }
    heldRows(first: 10) { edges { node { table rowId rule reason values } } }
  }
  quarantinedRecords(first: 10, filter: {sourceSystem: PUBLIC_SECURITY}) {
    edges { node { stream sourceRecordId rule reason runId quarantinedAt payload } }
    pageInfo { hasNextPage endCursor }
  }
}
""",
)

ME = ExampleQuery(
    "Who am I",
    """\
query Me {
  me { userId role scopeCodes department seesUnmasked readsAccessLog }
}
""",
)

EXAMPLES: tuple[ExampleQuery, ...] = (
    HOUSEHOLD_VIEW,
    GRID_DASHBOARD,
    CASE_VIEW,
    PERSON_VIEW,
    OVERDUE_CASES,
    DATA_QUALITY,
    ME,
)
