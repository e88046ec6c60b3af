"""The access audit (DESIGN §8): every read of a person is logged, and only auditors read the log."""

from __future__ import annotations

from sqlalchemy import Engine

from hub.warehouse.viewer import Role, Viewer
from tests.support.graphql import ADMIN, counting_statements, execute

AUDITOR = Viewer(user_id="auditor-1", role=Role.AUDITOR)
LOG = """query($person: ID, $user: String) {
  accessLog(first: 100, personId: $person, userId: $user) {
    edges { node { userId role operation personId unmasked queryDigest requestId } }
  }
}"""


def test_every_person_returned_is_logged_with_who_and_how(engine: Engine) -> None:
    officer = Viewer(user_id="officer-audit", role=Role.COUNTY_OFFICER)
    read = execute(
        "query HouseholdsForAudit { households(first: 3) { edges { node { members { person { id } } } } } }",
        engine=engine,
        viewer=officer,
    )
    persons = {m["person"]["id"] for e in read.data["households"]["edges"] for m in e["node"]["members"]}

    log = execute(LOG, engine=engine, viewer=AUDITOR, variables={"user": "officer-audit"}).data["accessLog"][
        "edges"
    ]

    entries = [e["node"] for e in log]
    assert {e["personId"] for e in entries} == persons
    assert {(e["role"], e["operation"], e["unmasked"]) for e in entries} == {
        ("COUNTY_OFFICER", "HouseholdsForAudit", False)
    }
    assert len({e["requestId"] for e in entries}) == 1 and len(entries[0]["queryDigest"]) == 64


def test_a_query_returning_no_person_writes_no_entry(engine: Engine) -> None:
    viewer = Viewer(user_id="no-persons", role=Role.COUNTY_OFFICER)
    execute("{ households(first: 5) { edges { node { hhNo } } } }", engine=engine, viewer=viewer)

    log = execute(LOG, engine=engine, viewer=AUDITOR, variables={"user": "no-persons"}).data["accessLog"][
        "edges"
    ]

    assert log == []


def test_the_log_can_be_read_per_person(engine: Engine) -> None:
    person = execute("{ persons(first: 1) { edges { node { id } } } }", engine=engine).data["persons"][
        "edges"
    ][0]["node"]["id"]
    execute("query($id: ID!) { person(id: $id) { name } }", engine=engine, variables={"id": person})

    log = execute(LOG, engine=engine, viewer=AUDITOR, variables={"person": person}).data["accessLog"]["edges"]
    by_admin = [e["node"] for e in log if e["node"]["userId"] == ADMIN.user_id]

    assert len(by_admin) >= 2 and {e["node"]["personId"] for e in log} == {person}
    assert {e["unmasked"] for e in by_admin} == {True}


def test_only_auditors_and_admins_read_the_log(engine: Engine) -> None:
    worker = Viewer(user_id="gw", role=Role.GRID_WORKER, scope_codes=("330122001001001",))

    result = execute(LOG, engine=engine, viewer=worker)

    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"


def test_a_request_logs_all_its_persons_in_one_statement(engine: Engine) -> None:
    viewer = Viewer(user_id="officer-page", role=Role.COUNTY_OFFICER)
    query = "query Page { households(first: 25) { edges { node { members { person { id } } } } } }"

    with counting_statements(engine) as statements:
        read = execute(query, engine=engine, viewer=viewer)

    persons = {m["person"]["id"] for e in read.data["households"]["edges"] for m in e["node"]["members"]}
    log = execute(LOG, engine=engine, viewer=AUDITOR, variables={"user": "officer-page"}).data["accessLog"]
    assert 25 < len(persons) <= 100  # more persons than households, all on one page of the log
    assert [s for s in statements if "access_log" in s] == [statements[-1]]
    assert sorted(e["node"]["personId"] for e in log["edges"]) == sorted(persons)


def test_the_log_pages_through_the_persons_of_one_request(engine: Engine) -> None:
    viewer = Viewer(user_id="officer-paged", role=Role.COUNTY_OFFICER)
    query = "{ households(first: 3) { edges { node { members { person { id } } } } } }"
    read = execute(query, engine=engine, viewer=viewer)
    persons = {m["person"]["id"] for e in read.data["households"]["edges"] for m in e["node"]["members"]}
    paged = """query($after: String) { accessLog(first: 2, after: $after, userId: "officer-paged") {
        edges { node { personId requestId } } pageInfo { hasNextPage endCursor } } }"""

    seen: list[str] = []
    after = None
    while True:
        page = execute(paged, engine=engine, viewer=AUDITOR, variables={"after": after}).data["accessLog"]
        seen += [e["node"]["personId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(persons) > 2 and sorted(seen) == sorted(persons)
