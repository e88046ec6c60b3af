"""Candidates from the simulator's served (noised) county, each with the truth key of its person.

Reads each stream's items the way the warehouse's staging does, only as far as resolution needs:
the person slots of `hub.simulator.catalog.STREAMS` in the order `Listed.persons` names the people.
Drifted field names (`birth_date` → `birthday`) are read too; a value that does not parse is None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hub.resolution import PersonCandidate, Resolution
from hub.simulator.catalog import STREAMS, ServedCounty


@dataclass(frozen=True, slots=True)
class Scores:
    """Pairwise precision, recall and F1 of a resolution against the truth."""

    precision: float
    recall: float
    f1: float
    true_pairs: int
    found_pairs: int


def _date(raw: Any) -> dt.date | None:
    if not isinstance(raw, str):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _slots(item: dict[str, Any], path: str) -> list[dict[str, Any]]:
    if not path:
        return [item]
    if path.endswith("[]"):
        value = item.get(path.removesuffix("[]"))
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
    value = item.get(path)
    return [value] if isinstance(value, dict) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def served_candidates(served: ServedCounty) -> Iterator[tuple[PersonCandidate, str]]:
    """Every person mention of every noised stream, with the truth key of the person it names."""
    for stream in STREAMS:
        shape = stream.shape
        if shape is None:
            continue
        for record in served.records[stream.name]:
            item = record.item
            slots = [slot for path in shape.person_slots for slot in _slots(item, path)]
            for position, (slot, truth) in enumerate(zip(slots, record.persons, strict=False)):
                name = _text(slot.get(shape.name_field))
                if name is None:
                    continue
                household = _text(item.get("hh_no")) or _text(item.get("户号"))
                division = (
                    _text(item.get("division_code"))
                    or _text(item.get("divisionCode"))
                    or _text(item.get("区划代码"))
                )
                candidate = PersonCandidate(
                    mention_id=f"{stream.department}:{stream.name}:{record.key}:{position}",
                    department=stream.department,
                    name_as_sent=name,
                    id_number_as_sent=_text(slot.get(shape.id_field)),
                    birth_date=_date(slot.get("birth_date", slot.get("birthday"))),
                    sex=_text(slot.get("sex")),
                    address=_text(item.get("address")) if stream.name == "households" else None,
                    household_no=household,
                    phone=_text(slot.get("phone")),
                    division_code=division,
                )
                yield candidate, truth


def pairwise_scores(resolution: Resolution, truth: dict[str, str]) -> Scores:
    """Precision and recall over pairs of mentions: found = same cluster, true = same truth person."""
    found_by_cluster = [cluster.mention_ids for cluster in resolution.clusters]
    by_truth: dict[str, list[str]] = {}
    for mention, person in truth.items():
        by_truth.setdefault(person, []).append(mention)
    true_pairs = sum(len(m) * (len(m) - 1) // 2 for m in by_truth.values())
    found_pairs = sum(len(m) * (len(m) - 1) // 2 for m in found_by_cluster)
    correct = 0
    for mentions in found_by_cluster:
        counts: dict[str, int] = {}
        for mention in mentions:
            counts[truth[mention]] = counts.get(truth[mention], 0) + 1
        correct += sum(n * (n - 1) // 2 for n in counts.values())
    precision = correct / found_pairs if found_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, true_pairs, found_pairs)
