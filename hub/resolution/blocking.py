"""Blocking: which pairs of mentions are worth scoring, so that cost grows with rows, not rows².

Each mention is put into a few small blocks by keys that the same person keeps under the noise
departments make (a homophone keeps its pinyin; a missing ID keeps the birth date the register
states; a petitioner keeps their phone):

- `birth|<date>|<surname pinyin>`: typos and traditional characters in the given name;
- `household|<户号>`: any typo, when the household is known (a handful of people per block);
- `phone|<number>`;
- `village|<division>|<full pinyin>`: mentions that state only a name and where the record was made.

Only pairs inside one block are scored, each once however many blocks it shares. A block bigger
than `max_block_size` is not scored at all (its pairs would be quadratic) and is reported as a
`SkippedBlock`: a key shared by that many mentions (a hotline's switchboard number, a placeholder
birth date) identifies no one.
"""

from __future__ import annotations

import hashlib
import struct
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hub.resolution.candidates import Profile

# 100 mentions make 4,950 pairs: generous for real keys (a household, one birth date and surname in
# a county of a million is a few dozen mentions), small enough that one bad key cannot dominate.
MAX_BLOCK_SIZE = 100
_SIGNED_64 = struct.Struct(">q").unpack


@dataclass(frozen=True, slots=True)
class SkippedBlock:
    """A block not scored because it held too many mentions."""

    key: str
    size: int


@dataclass(frozen=True, slots=True)
class Blocks:
    """Pairs to score (indexes into the profiles, smaller first, in a deterministic order)."""

    pairs: tuple[tuple[int, int], ...]
    skipped: tuple[SkippedBlock, ...]


def blocking_keys(profile: Profile) -> Iterator[str]:
    """The blocks a mention goes into (see module docstring)."""
    name = profile.name
    if profile.birth_date is not None and name.surname_pinyin:
        yield f"birth|{profile.birth_date.isoformat()}|{' '.join(name.surname_pinyin)}"
    if profile.household_no is not None:
        yield f"household|{profile.household_no}"
    if profile.phone is not None:
        yield f"phone|{profile.phone}"
    if profile.division_code is not None and name.pinyin:
        yield f"village|{profile.division_code}|{name.pinyin_text}"


def key_hash(key: str) -> int:
    """A blocking key as a signed 64-bit integer (what the warehouse indexes; a collision only adds
    a neighbour to weigh)."""
    return int(_SIGNED_64(hashlib.blake2b(key.encode(), digest_size=8).digest())[0])


def block_key_hashes(profile: Profile) -> frozenset[int]:
    """The mention's blocking keys as the warehouse stores and partitioning links them."""
    return frozenset(key_hash(key) for key in blocking_keys(profile))


def _worth_scoring(left: Profile, right: Profile) -> bool:
    # Equal valid IDs are merged by tier 1 and the same warehouse person needs no evidence; two
    # different valid IDs can at most reach review, which needs the names to sound the same.
    if left.id_number is not None and right.id_number is not None:
        return left.id_number != right.id_number and left.name.pinyin == right.name.pinyin
    person = left.candidate.person_id
    return person is None or person != right.candidate.person_id


def candidate_pairs(
    profiles: Sequence[Profile],
    *,
    max_block_size: int = MAX_BLOCK_SIZE,
    oversized: Mapping[int, int] | None = None,
) -> Blocks:
    """Every pair that shares a block and could change the outcome, each once.

    `oversized` (key hash → size) names blocks known to be too big from a wider view than these
    profiles (a part of a partitioned pass, `partitions`): they are skipped and reported with that size.
    """
    # Blocks as (key hash, member) pairs sorted by key: a county's keys as strings in a dict of
    # lists would be the largest thing a full pass holds.
    hashes, members = array("q"), array("q")
    for index, profile in enumerate(profiles):
        for key in block_key_hashes(profile):
            hashes.append(key)
            members.append(index)
    if not hashes:
        return Blocks((), ())
    by_key = np.argsort(np.frombuffer(hashes, dtype=np.int64), kind="stable")
    keys = np.frombuffer(hashes, dtype=np.int64)[by_key]
    ordered = np.frombuffer(members, dtype=np.int64)[by_key]
    del by_key, hashes, members
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    local = np.diff(np.r_[starts, len(keys)])
    keys = keys[starts]
    sizes = local
    if oversized:
        known = np.flatnonzero(np.isin(keys, np.fromiter(oversized, dtype=np.int64, count=len(oversized))))
        sizes = local.copy()
        sizes[known] = [oversized[key] for key in keys[known].tolist()]
    skipped = [
        SkippedBlock(_key_named(profiles[int(ordered[starts[at]])], int(keys[at])), int(sizes[at]))
        for at in np.flatnonzero(sizes > max_block_size).tolist()
    ]
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int]] = []
    # Only blocks of two or more members give pairs: a county's singletons, iterated in Python,
    # would cost more than the pairs.
    scored = (sizes <= max_block_size) & (local > 1)
    for start, end in zip(starts[scored].tolist(), (starts + local)[scored].tolist(), strict=True):
        block = ordered[start:end].tolist()
        for position, left in enumerate(block):
            for right in block[position + 1 :]:
                pair = (left, right) if left < right else (right, left)
                # Only pairs worth scoring are remembered: most pairs in a block are not (one
                # person's mentions under one ID), and a set of them all is most of blocking's memory.
                if pair not in seen and _worth_scoring(profiles[pair[0]], profiles[pair[1]]):
                    seen.add(pair)
                    pairs.append(pair)
    return Blocks(tuple(pairs), tuple(sorted(skipped, key=lambda block: block.key)))


def _key_named(member: Profile, hashed: int) -> str:
    """The blocking key of `member` that hashes to `hashed`."""
    return next(key for key in blocking_keys(member) if key_hash(key) == hashed)
