"""County-wide case numbers: villages number their cases provisionally, the county renumbers them.

Real registries number cases in order of time per day or year, which no single village can know;
renumbering afterwards keeps villages independent of each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hub.simulator.identity import COUNTY_REGION
from hub.simulator.model import SIM_NOW, AssistanceApplication, Incident, MediationCase, Petition


def assign_case_numbers(
    incidents: list[Incident],
    mediations: list[MediationCase],
    petitions: list[Petition],
    assistance: list[AssistanceApplication],
) -> tuple[
    tuple[Incident, ...], tuple[MediationCase, ...], tuple[Petition, ...], tuple[AssistanceApplication, ...]
]:
    """Replace provisional numbers with the departments' own, county-wide and in order of time.

    Incidents are numbered per day (J + county + yyyymmdd + 4 digits), the others per year
    (TJ/XF/JZ + county + yyyy + 6 digits); links between cases are rewritten to match.
    """
    renamed: dict[str, str] = {}
    renamed |= _numbers(
        "J", 4, [(c.incident_no, c.reported_at, c.reported_at.strftime("%Y%m%d")) for c in incidents]
    )
    renamed |= _numbers("TJ", 6, [(c.case_no, c.accepted_at, str(c.accepted_at.year)) for c in mediations])
    renamed |= _numbers("XF", 6, [(c.petition_no, c.received_at, str(c.received_at.year)) for c in petitions])
    renamed |= _numbers(
        "JZ", 6, [(c.application_no, _day_start(c.applied_on), str(c.applied_on.year)) for c in assistance]
    )

    def link(number: str | None) -> str | None:
        return None if number is None else renamed[number]

    numbered_incidents = [replace(c, incident_no=renamed[c.incident_no]) for c in incidents]
    numbered_mediations = [
        replace(
            c,
            case_no=renamed[c.case_no],
            source_petition_no=link(c.source_petition_no),
            source_incident_no=link(c.source_incident_no),
        )
        for c in mediations
    ]
    numbered_petitions = [
        replace(
            c,
            petition_no=renamed[c.petition_no],
            versions=tuple(replace(v, referred_case_no=link(v.referred_case_no)) for v in c.versions),
        )
        for c in petitions
    ]
    numbered_assistance = [
        replace(c, application_no=renamed[c.application_no], related_case_no=link(c.related_case_no))
        for c in assistance
    ]
    return (
        tuple(sorted(numbered_incidents, key=lambda c: c.incident_no)),
        tuple(sorted(numbered_mediations, key=lambda c: c.case_no)),
        tuple(sorted(numbered_petitions, key=lambda c: c.petition_no)),
        tuple(sorted(numbered_assistance, key=lambda c: c.application_no)),
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), SIM_NOW.tzinfo)


def _numbers(letters: str, digits: int, cases: list[tuple[str, dt.datetime, str]]) -> dict[str, str]:
    """Provisional number → department number, counting per period (day or year) in order of time."""
    counters: dict[str, int] = {}
    renamed: dict[str, str] = {}
    for provisional, _, period in sorted(cases, key=lambda case: (case[1], case[0])):
        counters[period] = counters.get(period, 0) + 1
        renamed[provisional] = f"{letters}{COUNTY_REGION}{period}{counters[period]:0{digits}d}"
    return renamed
