"""Was every defect the simulator injected caught? Recall per noise kind, measured against the truth.

The truth folder (`hub-simulator-truth/1`, see `hub/simulator/README.md`) lists every injected
defect (`defects.jsonl`: stream, simulator record id, kind, field path, truth person) and names
each served record by the SHA-256 of its item (`records.jsonl`). The warehouse landed every payload
as received (`raw_records`), so each defect is traced to the source record the hub knows it by and,
when it sits on a person, to that person's mention in `person_sources`. What *caught* means:

```
kind                      caught when
------------------------  --------------------------------------------------------------------------
unknown_code, malformed   the record is in `quarantined_records` with a rule `<field>.<check>` naming
                          the defect's field (array indexes dropped; for a CSV row cut short, any
                          dropped column), or a suite of the latest quality run held its core row
                          back (`dq_failures`) with a rule `<table>.<field>_…` naming it
schema_drift (renamed)    as above, the rule naming the field by its contract name (the mapping
                          finds it missing)
schema_drift (added)      nothing in the warehouse records drift per record (the ingest report's
                          `drift.fields_added` is per-stream Dagster run metadata), so caught only
                          if its value was not lost: the landed payload holds the added field with
                          the value served, and the record reached core or quarantine
traditional               the mention resolved to the truth person's warehouse person, published
                          under the true (simplified) name where this mention's record is the one
                          describing the person (its provenance)
fullwidth_digits,         the mention resolved to the warehouse person holding the true 18-digit ID
legacy_id                 number
name_typo, second_id,     the mention resolved to the truth person's warehouse person, or a pending
missing_id                `person_match_reviews` pair joins it to another mention of the same truth
                          person
address_variant           households: placed in the household's true micro-grid; incidents: the case
                          placed in the micro-grid the truth gives its true address
duplicate                 exactly one row for the record in the core tables that stand for whole
                          records (`reconciliation.RECORD_TABLES`: households, cases, person_tags …)
```

The truth person's *warehouse person* is the live (unmerged) person holding their true ID number,
else the person most of their other mentions resolved to; a truth person with neither (the mention
judged is all the warehouse has of them) is rightly a person of their own, provided that person
holds no one else's mentions.

Three outcomes are not judged, and are left out of recall (counted and shown, never hidden):
*superseded*, a version of a record that a later version of the same entity replaced under the
same source record id before the hub mapped it (a feed's earlier petition versions are landed,
never mapped; a duplicate is still judged, by its record); *held back*, a defect on a record that
is quarantined for another defect on it that was caught, so that nothing of it reached core;
*unread*, a defect on a person's name in a stream from which the hub takes no person at all (a
household's star rating names its head, but rates the household, found by its number): nothing
the hub publishes depends on it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.db.engine import session_factory
from hub.quality.reconciliation import RECORD_TABLES
from hub.quality.resolution import people_in
from hub.warehouse.cases.models import Case
from hub.warehouse.grids.models import Grid
from hub.warehouse.households.models import Household
from hub.warehouse.ingestion.models import QuarantinedRecord, RawRecord
from hub.warehouse.persons.models import Person, PersonMatchReview, PersonSource
from hub.warehouse.persons.resolution import mention_id
from hub.warehouse.quality.models import DqFailure, DqRun

# The module docstring's table, one line per kind, for reports that print the figures.
CAUGHT_WHEN: dict[str, str] = {
    "unknown_code": "quarantined or held back, the rule naming the field",
    "malformed": "quarantined or held back, the rule naming the field",
    "schema_drift": "renamed: quarantined naming the field; added: value kept in the landing",
    "traditional": "resolved to the true person; their name, where it is this one, simplified",
    "fullwidth_digits": "resolved to the person holding the true 18-digit ID",
    "legacy_id": "resolved to the person holding the true 18-digit ID",
    "name_typo": "resolved to the true person, or queued for review with them",
    "second_id": "resolved to the true person, or queued for review with them",
    "missing_id": "resolved to the true person, or queued for review with them",
    "address_variant": "placed in the true micro-grid",
    "duplicate": "exactly one core row for the record",
}
_KIND_ORDER = {kind: index for index, kind in enumerate(CAUGHT_WHEN)}
_RECORD_KINDS = frozenset({"unknown_code", "malformed", "schema_drift"})
_SAME_ID = frozenset({"fullwidth_digits", "legacy_id"})
_RESOLVED_OR_REVIEWED = frozenset({"name_typo", "second_id", "missing_id"})
_INDEX = re.compile(r"\[\d+\]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class Outcome(StrEnum):
    CAUGHT = "caught"
    MISSED = "missed"
    SUPERSEDED = "superseded"  # not judged: a later version replaced it before it was mapped
    HELD_BACK = "held_back"  # not judged: the record is quarantined for another caught defect
    UNREAD = "unread"  # not judged: a person's name in a stream the hub reads no person from


@dataclass(frozen=True, slots=True)
class MissedDefect:
    """A defect the warehouse did not catch, and what the warehouse shows instead."""

    stream: str
    record_id: str  # the simulator's record id (truth `record_id`)
    field: str | None
    person: str | None
    served: Any
    finding: str


@dataclass(frozen=True, slots=True)
class KindRecall:
    """One noise kind: defects injected, caught, not judged, and examples of the missed ones."""

    kind: str
    caught_when: str
    injected: int
    caught: int
    superseded: int
    held_back: int
    unread: int
    missed_examples: tuple[MissedDefect, ...]

    @property
    def judged(self) -> int:
        return self.injected - self.superseded - self.held_back - self.unread

    @property
    def missed(self) -> int:
        return self.judged - self.caught

    @property
    def recall(self) -> float:
        return self.caught / self.judged if self.judged else 1.0


@dataclass(frozen=True, slots=True)
class DefectRecall:
    """Recall per injected noise kind, in the order of `CAUGHT_WHEN`."""

    kinds: tuple[KindRecall, ...]

    def of(self, kind: str) -> KindRecall:
        """The figures for `kind`; KeyError when the truth injected none of it."""
        for recall in self.kinds:
            if recall.kind == kind:
                return recall
        raise KeyError(kind)


def defect_recall(*, engine: Engine, truth_dir: Path, examples: int = 5) -> DefectRecall:
    """Classify every defect in `truth_dir` as caught or missed by the warehouse behind `engine`.

    Keeps up to `examples` missed defects per kind, each with what the warehouse shows instead.
    """
    truth = _Truth(truth_dir)
    with session_factory(engine)() as session:
        warehouse = _Warehouse(session, truth)
    outcomes: dict[str, Counter[Outcome]] = defaultdict(Counter)
    missed: dict[str, list[MissedDefect]] = defaultdict(list)
    for defect in truth.defects:
        outcome, finding = _judge(defect, truth, warehouse)
        outcomes[defect["kind"]][outcome] += 1
        if outcome is Outcome.MISSED:
            missed[defect["kind"]].append(
                MissedDefect(
                    stream=defect["stream"],
                    record_id=defect["record_id"],
                    field=defect["field"],
                    person=defect["person"],
                    served=defect["served"],
                    finding=finding,
                )
            )
    return DefectRecall(
        tuple(
            KindRecall(
                kind=kind,
                caught_when=CAUGHT_WHEN.get(kind, "not defined here: counted as missed"),
                injected=sum(counts.values()),
                caught=counts[Outcome.CAUGHT],
                superseded=counts[Outcome.SUPERSEDED],
                held_back=counts[Outcome.HELD_BACK],
                unread=counts[Outcome.UNREAD],
                missed_examples=tuple(missed[kind][:examples]),
            )
            for kind, counts in sorted(
                outcomes.items(), key=lambda item: _KIND_ORDER.get(item[0], len(_KIND_ORDER))
            )
        )
    )


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


class _Truth:
    """The truth folder, indexed the ways judging needs."""

    def __init__(self, folder: Path) -> None:
        self.defects = _lines(folder / "defects.jsonl")
        self.defects_on: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for defect in self.defects:
            self.defects_on[(defect["stream"], defect["record_id"])].append(defect)
        self.served = _lines(folder / "records.jsonl")  # in served order, per stream
        self.records = {(r["stream"], r["record_id"]): r for r in self.served}
        persons = _lines(folder / "persons.jsonl")
        self.id_numbers = {p["key"]: p["id_number"] for p in persons}
        self.names = {p["key"]: p["name"] for p in persons}
        self.grid_of_household: dict[str, str] = {}
        self.grids_of_address: dict[str, set[str]] = defaultdict(set)
        for household in _lines(folder / "households.jsonl"):
            self.grid_of_household[household["hh_no"]] = household["micro_grid_code"]
            self.grids_of_address[household["address"]].add(household["micro_grid_code"])


@dataclass(frozen=True, slots=True)
class _Landed:
    """A served record as the hub knows it: landed under (system, stream, record id)."""

    key: tuple[str, str, str]
    item: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Mention:
    id: str  # persons.resolution.mention_id, as review pairs name it
    person_id: int  # the live person it resolves to now


class _Warehouse:
    """What the warehouse holds about the truth's records, read once."""

    def __init__(self, session: Session, truth: _Truth) -> None:
        self.truth = truth
        rows = select(
            RawRecord.source_system, RawRecord.stream, RawRecord.source_record_id, RawRecord.payload
        )
        self.landed = {
            hashlib.sha256(payload.encode()).hexdigest(): _Landed(
                (system, stream, record_id), orjson.loads(payload)
            )
            for system, stream, record_id, payload in session.execute(rows)
        }
        self.superseded = self._superseded()
        self.quarantine_rules: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        quarantined = select(
            QuarantinedRecord.source_system,
            QuarantinedRecord.stream,
            QuarantinedRecord.source_record_id,
            QuarantinedRecord.rule,
        )
        for system, stream, record_id, rule in session.execute(quarantined):
            self.quarantine_rules[(system, stream, record_id)].add(rule)
        # Suites re-judge the whole warehouse on every run: the latest run is what is held back now.
        self.held_rules: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
        latest = select(func.max(DqRun.id)).scalar_subquery()
        failures = select(DqFailure.source_system, DqFailure.source_record_id, DqFailure.rule)
        for held_system, held_id, rule in session.execute(failures.where(DqFailure.dq_run_id == latest)):
            self.held_rules[(held_system, held_id)].add(rule)
        # Rows standing for a whole source record (a household, a case, a tag), as reconciliation
        # counts them: persons, members and parties are parts of records.
        self.core_rows: Counter[tuple[str, str]] = Counter()
        for table in RECORD_TABLES:
            records = session.execute(select(table.source_system, table.source_record_id))
            self.core_rows.update((system, record_id) for system, record_id in records)
        placed = select(Household.hh_no, Grid.code).join(Grid, Grid.id == Household.grid_id)
        self.household_grid = {hh_no: code for hh_no, code in session.execute(placed)}
        cases = select(Case.department, Case.case_no, Grid.code).join(Grid, Grid.id == Case.grid_id)
        self.case_grid = {(dept, no): code for dept, no, code in session.execute(cases)}
        self._read_persons(session)
        # Streams some of whose records the hub took a person from; a name in any other stream (a
        # household's rating names its head, but the rating is the household's) is not read at all.
        mentioned_streams = (
            select(RawRecord.source_system, RawRecord.stream)
            .join(
                PersonSource,
                (PersonSource.source_system == RawRecord.source_system)
                & (PersonSource.source_record_id == RawRecord.source_record_id),
            )
            .distinct()
        )
        self.person_streams = {(system, stream) for system, stream in session.execute(mentioned_streams)}

    def _superseded(self) -> set[tuple[str, str]]:
        """Served versions that a later version of the same entity replaced under the same record id."""
        latest: dict[tuple[str, str, str], dict[str, Any]] = {}
        for record in self.truth.served:
            if (landed := self.landed.get(record["fingerprint"])) is not None:
                latest[landed.key] = record
        found = set()
        for record in self.truth.served:
            if (landed := self.landed.get(record["fingerprint"])) is not None:
                last = latest[landed.key]
                if last["fingerprint"] != record["fingerprint"] and last["entity"] == record["entity"]:
                    found.add((record["stream"], record["record_id"]))
        return found

    def _read_persons(self, session: Session) -> None:
        merged_into: dict[int, int | None] = {}
        self.id_number_of: dict[int, str | None] = {}
        self.name_of: dict[int, str] = {}
        self.described_by: dict[int, tuple[str, str]] = {}  # the record whose mention gave the attributes
        persons = select(
            Person.id,
            Person.merged_into_id,
            Person.id_number,
            Person.name,
            Person.source_system,
            Person.source_record_id,
        )
        for person_id, into, number, name, system, record_id in session.execute(persons):
            merged_into[person_id], self.id_number_of[person_id], self.name_of[person_id] = into, number, name
            self.described_by[person_id] = (system, record_id)

        def live(person_id: int) -> int:
            while (into := merged_into.get(person_id)) is not None:
                person_id = into
            return person_id

        self.holder = {
            number: id_ for id_, number in self.id_number_of.items() if number and live(id_) == id_
        }
        self.mentions: dict[tuple[str, str, str, str | None], _Mention] = {}
        self.mentioned: set[tuple[str, str]] = set()  # records any mention came from
        for source in session.scalars(select(PersonSource)):
            self.mentioned.add((source.source_system, source.source_record_id))
            key = (
                source.source_system,
                source.source_record_id,
                source.name_as_sent,
                source.id_number_as_sent,
            )
            self.mentions[key] = _Mention(mention_id(source), live(source.person_id))
        self.truth_person_of: dict[str, str] = {}  # mention id → truth person
        self.mentions_of: dict[str, list[_Mention]] = defaultdict(list)
        self.truth_persons_at: dict[int, set[str]] = defaultdict(set)  # live person → truth persons
        for record in self.truth.served:
            for person, mention in self.people(record):
                if mention is not None and mention.id not in self.truth_person_of:
                    self.truth_person_of[mention.id] = person
                    self.mentions_of[person].append(mention)
                    self.truth_persons_at[mention.person_id].add(person)
        pending = select(PersonMatchReview.left_mention, PersonMatchReview.right_mention)
        pending = pending.where(PersonMatchReview.status == "pending")
        self.reviews = [(left, right) for left, right in session.execute(pending)]

    def people(self, record: dict[str, Any]) -> Iterable[tuple[str, _Mention | None]]:
        """Each truth person the served record lists, with their mention in the warehouse (if any)."""
        landed = self.landed.get(record["fingerprint"])
        if landed is None:
            return []
        system, _, record_id = landed.key
        listed = people_in(record["stream"], landed.item)
        return [
            (person, self.mentions.get((system, record_id, name, id_number)))
            for person, (name, id_number) in zip(record["persons"], listed, strict=False)
        ]

    def home(self, person: str, mention: _Mention) -> int | None:
        """The truth person's warehouse person, judged without `mention`: their ID's holder, else
        where most of their other mentions went; with neither, the mention's own person, provided it
        holds no one else's mentions (a person of its own is then the right answer)."""
        holder = self.holder.get(self.truth.id_numbers.get(person, ""))
        if holder is not None:
            return holder
        others = Counter(m.person_id for m in self.mentions_of.get(person, []) if m.id != mention.id)
        if others:
            return others.most_common(1)[0][0]
        return mention.person_id if self.truth_persons_at[mention.person_id] == {person} else None


_Verdict = tuple[Outcome, str]  # the outcome, and for a missed defect what the warehouse shows
_CAUGHT: _Verdict = (Outcome.CAUGHT, "")


def _judge(defect: dict[str, Any], truth: _Truth, warehouse: _Warehouse) -> _Verdict:
    stream, kind = defect["stream"], defect["kind"]
    if kind not in CAUGHT_WHEN:
        return Outcome.MISSED, f"no definition of caught for {kind!r}"
    record = truth.records[(stream, defect["record_id"])]
    landed = warehouse.landed.get(record["fingerprint"])
    if landed is None:
        return Outcome.MISSED, "the served record was never landed"
    system, _, record_id = landed.key
    rules = warehouse.quarantine_rules.get(landed.key, set())
    published = warehouse.core_rows[(system, record_id)]
    if kind == "duplicate":
        if published == 1:
            return _CAUGHT
        if published == 0 and _held_for_another(defect, record, truth, rules):
            return Outcome.HELD_BACK, ""
        return Outcome.MISSED, f"{published} core rows for {system} {record_id}"
    if (stream, defect["record_id"]) in warehouse.superseded:
        return Outcome.SUPERSEDED, ""
    if kind in _RECORD_KINDS:
        return _judge_record(defect, landed, rules, published, warehouse)
    if not published:
        if _held_for_another(defect, record, truth, rules):
            return Outcome.HELD_BACK, ""
        return Outcome.MISSED, f"not published; quarantined for {sorted(rules)}"
    if kind == "address_variant":
        return _judge_address(defect, record, truth, warehouse, record_id)
    return _judge_person(defect, record, landed, truth, warehouse)


def _judge_record(
    defect: dict[str, Any], landed: _Landed, rules: set[str], published: int, warehouse: _Warehouse
) -> _Verdict:
    path = defect["field"]
    if defect["kind"] == "schema_drift" and defect["true"] is None:  # a field added, not renamed
        if landed.item.get(path, object()) != defect["served"]:
            return Outcome.MISSED, f"the landed payload lacks {path}={defect['served']!r}"
        return _CAUGHT if published or rules else (Outcome.MISSED, "neither published nor quarantined")
    held = warehouse.held_rules.get((landed.key[0], landed.key[2]), set())
    if any(_rule_names(rule, path) for rule in rules) or any(_suite_rule_names(r, path) for r in held):
        return _CAUGHT
    where = f"quarantined for {sorted(rules)}" if rules else "published"
    return Outcome.MISSED, f"{where}, no rule names {path}"


def _held_for_another(defect: dict[str, Any], record: dict[str, Any], truth: _Truth, rules: set[str]) -> bool:
    """Whether the record's quarantine answers another defect on it (a rule naming that one's field).

    A duplicate's copy carries the defects of its original, which the truth lists on the original.
    """
    ids = {record["record_id"], record.get("duplicate_of")}
    return any(
        other is not defect
        and other["kind"] in _RECORD_KINDS
        and any(_rule_names(rule, other["field"]) for rule in rules)
        for record_id in ids
        for other in truth.defects_on.get((record["stream"], record_id), [])
    )


def _judge_address(
    defect: dict[str, Any], record: dict[str, Any], truth: _Truth, warehouse: _Warehouse, record_id: str
) -> _Verdict:
    if defect["stream"] == "households":
        expected = {truth.grid_of_household[record["entity"].removeprefix("household:")]}
        placed = warehouse.household_grid.get(record_id)
    else:  # incidents: a household's door address, which the truth places in its micro-grid
        expected = truth.grids_of_address.get(defect["true"], set())
        placed = warehouse.case_grid.get((record["department"], record_id))
    if placed is not None and placed in expected:
        return _CAUGHT
    return Outcome.MISSED, f"placed in grid {placed}, the truth says {sorted(expected)}"


def _judge_person(
    defect: dict[str, Any], record: dict[str, Any], landed: _Landed, truth: _Truth, warehouse: _Warehouse
) -> _Verdict:
    kind, person = defect["kind"], defect["person"]
    system, _, record_id = landed.key
    people = dict(warehouse.people(record))
    mention = people.get(person) if person else None
    if mention is None:
        if (system, record_id) not in warehouse.mentioned:
            if (system, landed.key[1]) not in warehouse.person_streams:
                return Outcome.UNREAD, ""
            return Outcome.MISSED, "the hub keeps no person mention from this record"
        if not people:
            return Outcome.MISSED, f"hub.quality.resolution.people_in cannot read {record['stream']} records"
        return Outcome.MISSED, "no mention in person_sources matches the person as served"
    if kind in _SAME_ID:
        number = warehouse.id_number_of.get(mention.person_id)
        if number == truth.id_numbers[person]:
            return _CAUGHT
        return Outcome.MISSED, f"resolved to person {mention.person_id}, ID {number}"
    home = warehouse.home(person, mention)
    if mention.person_id == home:
        if kind != "traditional":
            return _CAUGHT
        # A person's attributes come from their most trusted mention: the name published is this
        # mention's only when its record describes the person (another record may carry a typo).
        published = warehouse.name_of[home]
        if published == truth.names[person] or warehouse.described_by[home] != (system, record_id):
            return _CAUGHT
        return Outcome.MISSED, f"published as {published!r}"
    if kind in _RESOLVED_OR_REVIEWED:
        for left, right in warehouse.reviews:
            other = right if left == mention.id else left if right == mention.id else None
            if other is not None and warehouse.truth_person_of.get(other) == person:
                return _CAUGHT
    return Outcome.MISSED, f"resolved to person {mention.person_id}; the truth person is {home}"


def _field_paths(path: str) -> set[str]:
    """The fields a defect names, array indexes dropped (`members[2].sex` → `members.sex`)."""
    return {_INDEX.sub("", part) for part in path.split(",")}


def _rule_names(rule: str, path: str | None) -> bool:
    """Whether a mapping rule `<field>.<check>` names the defect's field."""
    return path is not None and rule.rpartition(".")[0] in _field_paths(path)


def _suite_rule_names(rule: str, path: str | None) -> bool:
    """Whether a suite rule `<table>.<column>_<check>` names the defect's field (its leaf, snake case)."""
    if path is None:
        return False
    name = rule.partition(".")[2]
    leaves = {_CAMEL.sub("_", field.rpartition(".")[2]).lower() for field in _field_paths(path)}
    return any(name.startswith(leaf) for leaf in leaves)
