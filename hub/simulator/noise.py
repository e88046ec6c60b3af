"""Noise: the defects departments really write into their records, injected at a profile's rates.

Each record draws from its own random stream (seed, stream, record key), so whether and how a
record is altered does not depend on any other record, and the same seed, scale and profile always
serve the same bytes. For every kind the record *can* carry (an ID to drop, an address to rewrite)
the record counts as eligible, and with the profile's rate the defect is applied to one randomly
chosen place; every applied defect is returned as a `Defect`, which the truth files export.

Where things live in each department's items is described by a `RecordShape` (see `catalog`).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import opencc
import orjson

from hub.simulator.clock import derive_rng
from hub.simulator.departments.listing import Item, Listed
from hub.simulator.identity import with_check_char
from hub.simulator.profiles import (
    ADDRESS_VARIANT,
    DUPLICATE,
    FULLWIDTH_DIGITS,
    LEGACY_ID,
    MALFORMED,
    MISSING_ID,
    NAME_TYPO,
    NOISE_KINDS,
    SCHEMA_DRIFT,
    SECOND_ID,
    TRADITIONAL,
    UNKNOWN_CODE,
    NoiseProfile,
)

DUPLICATE_SUFFIX = "~dup"

# Characters of the simulator's name pools and the homophones clerks key instead (same pinyin,
# tone aside): 王伟 written 汪玮 is the most common way one person becomes two in a register.
_HOMOPHONES: dict[str, str] = {
    "王": "汪", "汪": "王", "张": "章", "章": "张", "李": "黎", "方": "芳", "陈": "辰", "俞": "余",
    "余": "俞", "袁": "元", "徐": "许", "许": "徐", "吴": "伍", "刘": "柳", "杨": "阳", "周": "舟",
    "胡": "湖", "朱": "诸", "何": "贺", "叶": "业", "钟": "仲", "姚": "尧", "黄": "皇", "邵": "绍",
    "蒋": "姜", "江": "姜", "严": "颜", "金": "靳", "郑": "正", "夏": "侠", "雷": "蕾", "蓝": "兰",
    "伟": "玮", "强": "蔷", "军": "君", "建": "健", "国": "帼", "明": "铭", "华": "桦", "平": "萍",
    "刚": "钢", "志": "智", "勇": "永", "永": "勇", "杰": "洁", "峰": "锋", "斌": "彬", "俊": "骏",
    "涛": "韬", "浩": "昊", "宇": "雨", "鹏": "朋", "飞": "菲", "林": "琳", "忠": "中", "德": "得",
    "福": "富", "荣": "蓉", "宏": "鸿", "文": "雯", "新": "欣", "春": "纯", "东": "冬", "芳": "方",
    "娟": "鹃", "秀": "绣", "英": "瑛", "敏": "民", "静": "晶", "丽": "莉", "燕": "艳", "红": "虹",
    "梅": "玫", "玲": "铃", "兰": "岚", "凤": "风", "萍": "平", "琴": "勤", "莉": "丽", "婷": "亭",
    "琳": "林", "颖": "莹", "佳": "嘉", "欣": "新", "怡": "宜", "洁": "杰", "慧": "惠", "月": "悦",
    "桂": "贵", "珍": "贞", "子": "紫", "晓": "小", "雨": "宇", "嘉": "佳", "思": "斯", "天": "添",
    "小": "晓", "立": "丽", "正": "政", "云": "芸",
}  # fmt: skip

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CHINESE_NUMERALS = "〇一二三四五六七八九"


@dataclass(frozen=True, slots=True)
class RecordShape:
    """Where a stream's items keep what noise alters.

    Paths are dotted; `[]` marks a list whose every element is visited (`members[]`, `parties[]`);
    the empty path is the item itself. `person_slots` are listed in the order `Listed.persons`
    names the people.
    """

    person_slots: tuple[str, ...] = ()
    id_field: str = "id_no"
    name_field: str = "name"
    missing_id: str | None = None  # what a missing ID looks like: null in JSON, "" in CSV
    address_field: str | None = None
    codes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # field path → codes unknown to the table
    renames: tuple[tuple[str, str], ...] = ()  # field path → the name a drifted record uses
    additions: tuple[tuple[str, Any], ...] = ()  # top-level fields a drifted record adds
    malformed: tuple[tuple[str, Any], ...] = ()  # field path → a value that does not parse
    csv_columns: tuple[str, ...] = ()  # a CSV export: malformed rows lose trailing columns
    encoding: str = "utf-8"


@dataclass(frozen=True, slots=True)
class Defect:
    """One injected defect: which served record, what kind, where, and what was true."""

    department: str
    stream: str
    record_id: str
    kind: str
    field: str | None
    person: str | None
    true_value: Any
    served_value: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "stream": self.stream,
            "record_id": self.record_id,
            "kind": self.kind,
            "field": self.field,
            "person": self.person,
            "true": self.true_value,
            "served": self.served_value,
        }


@dataclass(slots=True)
class NoiseOutcome:
    """A stream's records after noise, the defects injected and how many records could carry each kind."""

    records: list[Listed]
    defects: list[Defect] = field(default_factory=list)
    eligible: dict[str, int] = field(default_factory=dict)


class SecondIds:
    """Alternative ID numbers, one per person, that no real person of the county holds.

    The same person always gets the same alternative (a duplicate registration is one wrong
    number, repeated), and two people never share one.
    """

    def __init__(self, seed: int, real_ids: set[str]) -> None:
        self._seed = seed
        self._taken = real_ids
        self._issued: dict[str, str] = {}

    def of(self, person_key: str, id_number: str) -> str:
        if person_key in self._issued:
            return self._issued[person_key]
        rng = derive_rng(self._seed, "second-id", person_key)
        body = id_number[:14]
        parity = int(id_number[16]) % 2  # the sequence's parity is the sex; keep it plausible
        sequences = [seq for seq in range(1, 1000) if seq % 2 == parity]
        rng.shuffle(sequences)
        for seq in sequences:
            candidate = with_check_char(f"{body}{seq:03d}")
            if candidate not in self._taken:
                self._taken.add(candidate)
                self._issued[person_key] = candidate
                return candidate
        raise RuntimeError(f"no free second ID for {person_key}")  # 500 numbers a day: unreachable


def apply_noise(
    records: list[Listed],
    *,
    department: str,
    stream: str,
    shape: RecordShape,
    profile: NoiseProfile,
    seed: int,
    second_ids: SecondIds,
    count_eligible: bool = True,
) -> NoiseOutcome:
    """The stream's records as the department serves them under `profile`, with the defects injected.

    Whether a kind strikes a record is decided first, from a hash of (seed, stream, record key), and
    eligibility is checked only then — unless `count_eligible` asks for the counts the truth totals
    report, which costs a check of every kind on every record. The defects are the same either way.
    """
    if profile.is_clean:
        return NoiseOutcome(records)
    outcome = NoiseOutcome([], [], dict.fromkeys(NOISE_KINDS, 0) if count_eligible else {})
    thresholds = [round(profile.rates.get(kind, 0.0) * 2**32) for kind in NOISE_KINDS]
    for record in records:
        draws = hashlib.blake2b(f"{seed}:noise:{stream}:{record.key}".encode(), digest_size=44).digest()
        noisy = _Noisy(record, shape, seed, stream, second_ids)
        duplicate = False
        for index, kind in enumerate(NOISE_KINDS):
            # One 32-bit uniform per kind from the record's own hash: cheap, and independent of order.
            hit = int.from_bytes(draws[4 * index : 4 * index + 4], "big") < thresholds[index]
            if count_eligible:
                if not noisy.eligible(kind):
                    continue
                outcome.eligible[kind] += 1
            if not hit or (not count_eligible and not noisy.eligible(kind)):
                continue
            if kind == DUPLICATE:
                duplicate = True
                continue
            for where, person, true_value, served_value in noisy.apply(kind):
                outcome.defects.append(
                    Defect(department, stream, record.key, kind, where, person, true_value, served_value)
                )
        served = noisy.listed()
        outcome.records.append(served)
        if duplicate:
            copy_key = record.key + DUPLICATE_SUFFIX
            outcome.records.append(
                Listed(copy_key, served.changed, served.item, entity=served.entity, persons=served.persons)
            )
            outcome.defects.append(
                Defect(department, stream, copy_key, DUPLICATE, None, None, record.key, None)
            )
    return outcome


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=200_000)
def _traditional(text: str) -> str:
    # Names repeat a great deal across a county; converting each distinct one once is what keeps
    # noise affordable at a million persons.
    converted: str = _converter().convert(text)
    return converted


_Applied = Iterator[tuple[str | None, str | None, Any, Any]]  # field, person, true, served


class _Noisy:
    """One record being altered: a private copy of its item, made on the first change."""

    def __init__(
        self, record: Listed, shape: RecordShape, seed: int, stream: str, second_ids: SecondIds
    ) -> None:
        self._record = record
        self._shape = shape
        self._seed = seed
        self._stream = stream
        self._random: random.Random | None = None
        self._second_ids = second_ids
        self._item: Item = record.item
        self._copied = False
        self._slot_cache: list[tuple[str, dict[str, Any]]] | None = None
        self._id_touched: set[int] = set()  # slot indexes whose ID one defect already altered
        self._name_touched: set[int] = set()

    @property
    def _rng(self) -> random.Random:
        # Only records that receive a defect need a random stream (to choose where and how).
        if self._random is None:
            self._random = derive_rng(self._seed, "noise", self._stream, self._record.key)
        return self._random

    def listed(self) -> Listed:
        record = self._record
        if not self._copied:
            return record
        return Listed(record.key, record.changed, self._item, entity=record.entity, persons=record.persons)

    def _own(self) -> Item:
        if not self._copied:
            # orjson round trip: a deep copy of plain JSON data, several times faster than deepcopy.
            self._item = orjson.loads(orjson.dumps(self._item))
            self._copied = True
            self._slot_cache = None  # the slots are the copy's dicts from now on
        return self._item

    # Places ---------------------------------------------------------------------------------

    def _slots(self) -> list[tuple[str, dict[str, Any]]]:
        if self._slot_cache is None:
            found: list[tuple[str, dict[str, Any]]] = []
            for path in self._shape.person_slots:
                found += _containers(self._item, path)
            self._slot_cache = found
        return self._slot_cache

    def _person(self, index: int) -> str | None:
        persons = self._record.persons
        return persons[index] if index < len(persons) else None

    def _id_slots(self, *, eighteen: bool = False, before_2000: bool = False) -> list[int]:
        chosen = []
        for index, (_, slot) in enumerate(self._slots()):
            number = slot.get(self._shape.id_field)
            if index in self._id_touched or not isinstance(number, str) or not number:
                continue
            if eighteen and len(number) != 18:
                continue
            if before_2000 and not (len(number) == 18 and number[6:10] < "2000"):
                continue
            chosen.append(index)
        return chosen

    def _name_slots(self, kind: str) -> list[int]:
        chosen = []
        for index, (_, slot) in enumerate(self._slots()):
            name = slot.get(self._shape.name_field)
            if index in self._name_touched or not isinstance(name, str):
                continue
            if kind == NAME_TYPO and any(char in _HOMOPHONES for char in name):
                chosen.append(index)
            elif kind == TRADITIONAL:
                converted = _traditional(name)
                if converted != name and self._encodable(converted):
                    chosen.append(index)
        return chosen

    def _encodable(self, text: str) -> bool:
        try:
            text.encode(self._shape.encoding)
        except UnicodeEncodeError:
            return False
        return True

    def _present(self, pairs: tuple[tuple[str, Any], ...]) -> list[tuple[str, Any]]:
        return [(path, value) for path, value in pairs if _leaves(self._item, path)]

    # Eligibility and application ---------------------------------------------------------------

    def eligible(self, kind: str) -> bool:
        shape = self._shape
        match kind:
            case "name_typo" | "traditional":
                return bool(self._name_slots(kind))
            case "fullwidth_digits" | "missing_id":
                return bool(self._id_slots())
            case "legacy_id":
                return bool(self._id_slots(before_2000=True))
            case "second_id":
                return bool(self._id_slots(eighteen=True)) and bool(self._record.persons)
            case "address_variant":
                address = self._item.get(shape.address_field) if shape.address_field else None
                return isinstance(address, str) and bool(_address_variants(address))
            case "unknown_code":
                return bool(self._present(shape.codes))
            case "schema_drift":
                return not shape.csv_columns and bool(self._present(shape.renames) or shape.additions)
            case "malformed":
                return bool(shape.csv_columns) or bool(self._present(shape.malformed))
            case "duplicate":
                return True
        raise ValueError(f"unknown noise kind {kind!r}")

    def apply(self, kind: str) -> _Applied:
        rng, shape = self._rng, self._shape
        if kind in (NAME_TYPO, TRADITIONAL):
            index = rng.choice(self._name_slots(kind))
            self._name_touched.add(index)
            label, slot = self._own_slot(index)
            name = slot[shape.name_field]
            slot[shape.name_field] = _typo(rng, name) if kind == NAME_TYPO else _traditional(name)
            yield _join(label, shape.name_field), self._person(index), name, slot[shape.name_field]
        elif kind in (FULLWIDTH_DIGITS, LEGACY_ID, MISSING_ID, SECOND_ID):
            candidates = self._id_slots(eighteen=kind == SECOND_ID, before_2000=kind == LEGACY_ID)
            index = rng.choice(candidates)
            self._id_touched.add(index)
            label, slot = self._own_slot(index)
            number = slot[shape.id_field]
            if kind == FULLWIDTH_DIGITS:
                served: str | None = number.translate(_FULLWIDTH)
            elif kind == LEGACY_ID:
                served = number[:6] + number[8:17]
            elif kind == MISSING_ID:
                served = shape.missing_id
            else:
                person = self._person(index)
                assert person is not None  # eligible only with persons
                served = self._second_ids.of(person, number)
            slot[shape.id_field] = served
            yield _join(label, shape.id_field), self._person(index), number, served
        elif kind == ADDRESS_VARIANT:
            assert shape.address_field is not None
            item = self._own()
            address = item[shape.address_field]
            item[shape.address_field] = rng.choice(_address_variants(address))
            yield shape.address_field, None, address, item[shape.address_field]
        elif kind == UNKNOWN_CODE:
            path, unknown = rng.choice(self._present(shape.codes))
            yield from self._set_leaf(path, rng.choice(unknown))
        elif kind == SCHEMA_DRIFT:
            renames = self._present(shape.renames)
            if renames and (not shape.additions or rng.random() < 0.6):
                path, new_name = rng.choice(renames)
                yield from self._rename_leaf(path, new_name)
            else:
                name, value = rng.choice(shape.additions)
                self._own()[name] = value
                yield name, None, None, value
        elif kind == MALFORMED:
            if shape.csv_columns:
                # The export tool died mid-row: the row stops after a few columns.
                keep = rng.randrange(2, len(shape.csv_columns) - 1)
                item = self._own()
                dropped = {column: item.pop(column) for column in shape.csv_columns[keep:]}
                yield ",".join(shape.csv_columns[keep:]), None, dropped, None
            else:
                path, bad = rng.choice(self._present(shape.malformed))
                yield from self._set_leaf(path, bad)

    def _own_slot(self, index: int) -> tuple[str, dict[str, Any]]:
        self._own()
        return self._slots()[index]

    def _set_leaf(self, path: str, value: Any) -> _Applied:
        self._own()
        label, container, name = self._rng.choice(_leaves(self._item, path))
        true_value = container[name]
        container[name] = value
        yield _join(label, name), None, true_value, value

    def _rename_leaf(self, path: str, new_name: str) -> _Applied:
        self._own()
        label, container, name = self._rng.choice(_leaves(self._item, path))
        # Rebuild the dict so the renamed field keeps its place, as a drifted serializer writes it.
        renamed = {(new_name if key == name else key): value for key, value in container.items()}
        container.clear()
        container.update(renamed)
        yield _join(label, name), None, name, new_name


def _join(label: str, name: str) -> str:
    return f"{label}.{name}" if label else name


def _containers(item: Item, path: str) -> list[tuple[str, dict[str, Any]]]:
    """The dicts a slot path names, each with a label saying where it sits (`members[2]`)."""
    if not path:
        return [("", item)]
    found: list[tuple[str, dict[str, Any]]] = [("", item)]
    for part in path.split("."):
        many = part.endswith("[]")
        name = part.removesuffix("[]")
        following: list[tuple[str, dict[str, Any]]] = []
        for label, container in found:
            value = container.get(name)
            here = _join(label, name)
            if many and isinstance(value, list):
                following += [(f"{here}[{i}]", v) for i, v in enumerate(value) if isinstance(v, dict)]
            elif not many and isinstance(value, dict):
                following.append((here, value))
        found = following
    return found


def _leaves(item: Item, path: str) -> list[tuple[str, dict[str, Any], str]]:
    """The (label, container, field) triples a field path names, where the field is present."""
    parent, _, name = path.rpartition(".")
    return [(label, container, name) for label, container in _containers(item, parent) if name in container]


def _typo(rng: random.Random, name: str) -> str:
    positions = [index for index, char in enumerate(name) if char in _HOMOPHONES]
    if rng.random() < 0.85:
        index = rng.choice(positions)
        return name[:index] + _HOMOPHONES[name[index]] + name[index + 1 :]
    # A stray space between surname and given name, as when copied from a printed form.
    return name[0] + " " + name[1:]


def _address_variants(address: str) -> list[str]:
    """Other ways a clerk writes the same door address (never the address itself)."""
    variants = []
    if address.startswith("桐庐县"):
        variants.append(address.removeprefix("桐庐县"))
        variants.append("浙江省杭州市" + address)
    group_at = address.find("组")
    if group_at > 0 and address[group_at - 1].isdigit():
        start = group_at
        while start > 0 and address[start - 1].isdigit():
            start -= 1
        number = int(address[start:group_at])
        if number < 10:
            variants.append(address[:start] + _CHINESE_NUMERALS[number] + address[group_at:])
        variants.append(address[:start] + "第" + address[start:])
    if address.endswith("号"):
        variants.append(address.removesuffix("号"))
    if any(char.isdigit() for char in address):
        variants.append(address.translate(_FULLWIDTH))
    return [variant for variant in variants if variant != address]
