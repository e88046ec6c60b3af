"""How well entity resolution did, measured against a ground-truth folder.

The simulator's truth (`hub-simulator-truth/1`, see `hub/simulator/README.md`) names the true
person behind each person a served record lists, in order, and the record by the SHA-256 of its
payload. The warehouse landed every payload as received (`raw_records`), so each mention in
`person_sources` is traced to its true person; precision and recall count pairs of mentions that
the warehouse and the truth put together.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.warehouse.ingestion.models import RawRecord
from hub.warehouse.persons.models import PersonSource


@dataclass(frozen=True, slots=True)
class ResolutionScores:
    mentions: int  # mentions in the warehouse
    traced: int  # of which the truth names the person
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def people_in(stream: str, item: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(name, ID number) of each person a served item lists, in the order the truth lists them."""
    if stream == "households":
        return [(m.get("name"), m.get("id_no")) for m in item.get("members") or []]
    if stream == "incidents":
        return [(p.get("name"), p.get("id_no")) for p in item.get("parties") or []]
    if stream == "mediations":
        return [(p.get("name"), p.get("idCard")) for p in item.get("parties") or []]
    if stream == "corrections":
        return [(item.get("name"), item.get("idCard"))]
    if stream == "petitions":
        people = [item.get("petitioner") or {}, *(item.get("co_petitioners") or [])]
        return [(p.get("name"), p.get("id_no")) for p in people]
    if stream in ("benefits", "assistance"):
        # A CSV cell without an ID is empty, where the warehouse keeps None.
        return [(item.get("姓名"), item.get("身份证号") or None)]
    return []


def resolution_scores(*, session: Session, truth_dir: Path) -> ResolutionScores:
    """Pairwise precision and recall of the warehouse's persons against the truth folder."""
    truth: dict[str, tuple[str, list[str]]] = {}
    for line in (truth_dir / "records.jsonl").read_bytes().splitlines():
        record = orjson.loads(line)
        truth[record["fingerprint"]] = (record["stream"], record["persons"])
    true_person: dict[tuple[str, str], dict[tuple[Any, Any], str]] = {}
    landed = select(RawRecord.source_system, RawRecord.source_record_id, RawRecord.payload)
    for system, record_id, payload in session.execute(landed):
        found = truth.get(hashlib.sha256(payload.encode()).hexdigest())
        if found:
            stream, persons = found
            people = people_in(stream, orjson.loads(payload))
            true_person.setdefault((system, record_id), {}).update(zip(people, persons, strict=False))
    both: Counter[tuple[str, int]] = Counter()
    by_truth: Counter[str] = Counter()
    by_person: Counter[int] = Counter()
    mentions = session.execute(
        select(
            PersonSource.source_system,
            PersonSource.source_record_id,
            PersonSource.name_as_sent,
            PersonSource.id_number_as_sent,
            PersonSource.person_id,
        )
    ).all()
    for system, record_id, name, id_number, person_id in mentions:
        key = true_person.get((system, record_id), {}).get((name, id_number))
        if key is not None:
            both[(key, person_id)] += 1
            by_truth[key] += 1
            by_person[person_id] += 1
    together = _pairs(both)
    return ResolutionScores(
        mentions=len(mentions),
        traced=sum(both.values()),
        precision=together / _pairs(by_person) if _pairs(by_person) else 1.0,
        recall=together / _pairs(by_truth) if _pairs(by_truth) else 1.0,
    )


def _pairs(groups: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())
