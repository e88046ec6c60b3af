"""Ground truth: the real entities, the true entity behind every served record, and every defect.

`write_truth(served, out=DIR)` writes one folder in the format `hub-simulator-truth/1`, described
file by file in `hub/simulator/README.md` ("Ground truth"): the manifest, the real persons,
households and cases, one line per served record naming its true entity, one line per injected
defect, and per-department totals.

`fingerprint` is the SHA-256 (hex) of the served item as JSON with sorted keys (`orjson`,
`OPT_SORT_KEYS`): a JSON item as parsed from the response, a CSV row as the dict header → cell
of the cells the row has (a malformed row lacks its trailing columns), a petitions feed line as
parsed. So any record a client received can be looked up in `records.jsonl` by hashing it.

Faults are request-level and described by rule, not listed here: `faults.decide_fault` is a pure
function of (seed, profile, method, path, canonical query, attempt number), so a client's request
log is enough to replay them. A running server also logs every fault it injects
(`SimulatorSettings.fault_log_path`, `hub simulate serve --fault-log FILE`), one JSON line each:
`seq`, `method`, `path`, `query`, `attempt`, `kind`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from hub.simulator.catalog import STREAMS, ServedCounty
from hub.simulator.model import (
    AssistanceApplication,
    Case,
    County,
    Incident,
    MediationCase,
    Petition,
    case_number,
)
from hub.simulator.noise import DUPLICATE_SUFFIX
from hub.simulator.profiles import FaultProfile

FORMAT = "hub-simulator-truth/1"
FAULT_RULE = (
    "Per request attempt: sha256('{seed}|{profile}|{METHOD}|{path}|{sorted query}|{attempt}') picks at most "
    "one fault kind with the profile's rates among the kinds applicable to the path; attempt = faults in a "
    "row just served for the same request; attempts >= max_consecutive are never faulted "
    "(hub.simulator.faults.decide_fault)."
)
_INCIDENT_KINDS = {"1": "incident", "2": "public_order", "3": "criminal"}


def fingerprint(item: Any) -> str:
    """The SHA-256 (hex) of an item as JSON with sorted keys: how truth names a served record."""
    return hashlib.sha256(orjson.dumps(item, option=orjson.OPT_SORT_KEYS)).hexdigest()


def write_truth(
    served: ServedCounty, *, out: Path, faults: FaultProfile, days_advanced: int = 0
) -> dict[str, Any]:
    """Write the truth folder for `served` into `out` (created) and return its totals."""
    out.mkdir(parents=True, exist_ok=True)
    county = served.county
    _write_lines(out / "persons.jsonl", _persons(county))
    _write_lines(out / "households.jsonl", _households(county))
    _write_lines(out / "cases.jsonl", (_case(county, case) for case in county.cases))
    _write_lines(out / "records.jsonl", _records(served))
    _write_lines(out / "defects.jsonl", (defect.as_json() for defect in served.defects))
    totals = truth_totals(served)
    (out / "totals.json").write_bytes(orjson.dumps(totals, option=orjson.OPT_INDENT_2))
    manifest = {
        "format": FORMAT,
        "seed": county.seed,
        "scale": county.scale,
        "noise": served.noise.name,
        "faults": faults.name,
        "sim_now": county.now.isoformat(),
        "days_advanced": days_advanced,
        "noise_rates": dict(served.noise.rates),
        "fault_rates": dict(faults.rates),
        "fault_max_consecutive": faults.max_consecutive,
        "fault_rule": FAULT_RULE,
    }
    (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return totals


def truth_totals(served: ServedCounty) -> dict[str, Any]:
    """Per department and stream: records served, distinct entities, defects and eligibility by kind."""
    defects: dict[str, Counter[str]] = {}
    for defect in served.defects:
        defects.setdefault(defect.stream, Counter())[defect.kind] += 1
    totals: dict[str, Any] = {}
    for stream in STREAMS:
        records = served.records[stream.name]
        totals.setdefault(stream.department, {})[stream.name] = {
            "path": stream.path,
            "records": len(records),
            "entities": len({record.entity for record in records}),
            "defects": dict(sorted(defects.get(stream.name, Counter()).items())),
            "eligible": dict(served.eligible.get(stream.name, {})),
        }
    return totals


def _write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("wb") as handle:
        _dump(handle, rows)


def _dump(handle: IO[bytes], rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        handle.write(orjson.dumps(row) + b"\n")


def _persons(county: County) -> Iterable[dict[str, Any]]:
    household_of = county.household_of_person
    for person in county.persons:
        household = household_of.get(person.key)
        yield {
            "key": person.key,
            "id_number": person.id_number,
            "name": person.name,
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(),
            "phone": person.phone,
            "residency": person.residency,
            "hh_no": household.hh_no if household is not None else None,
        }


def _households(county: County) -> Iterable[dict[str, Any]]:
    for household in county.households:
        yield {
            "hh_no": household.hh_no,
            "division_code": household.division_code,
            "address": household.address,
            "micro_grid_code": household.micro_grid_code,
            "members": [{"person": m.person_key, "relation": m.relation} for m in household.members],
        }


def _case(county: County, case: Case) -> dict[str, Any]:
    match case:
        case Incident():
            department, kind, status = "public_security", _INCIDENT_KINDS[case.kind], case.status
            links: list[str] = []
        case MediationCase():
            department, kind, status = "justice", "dispute", case.status
            links = [no for no in (case.source_petition_no, case.source_incident_no) if no]
        case Petition():
            department, kind, status = "petitions", "petition", case.current.status
            links = [case.current.referred_case_no] if case.current.referred_case_no else []
        case AssistanceApplication():
            department, kind, status = "civil_affairs", "assistance", case.status
            links = [case.related_case_no] if case.related_case_no else []
    return {
        "case_no": case_number(case),
        "department": department,
        "kind": kind,
        "status": status,
        "division_code": case.division_code,
        "persons": list(county.case_parties(case)),
        "links": links,
    }


def _records(served: ServedCounty) -> Iterable[dict[str, Any]]:
    for stream in STREAMS:
        for record in served.records[stream.name]:
            row: dict[str, Any] = {
                "department": stream.department,
                "stream": stream.name,
                "record_id": record.key,
                "entity": record.entity,
                "persons": list(record.persons),
                "fingerprint": fingerprint(record.item),
            }
            if record.key.endswith(DUPLICATE_SUFFIX):
                row["duplicate_of"] = record.key.removesuffix(DUPLICATE_SUFFIX)
            yield row
