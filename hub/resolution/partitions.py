"""Splitting a full resolution into parts that cannot influence each other, so that its memory
follows the largest part instead of the county.

Two mentions can end up in one person only through a chain of links resolution sees: a blocking key
they share (of a block small enough to score, `blocking`), a valid ID number or a warehouse person
they share, or a pair a reviewer decided. The connected components of those links are independent:
resolving each alone gives the clusters, merges and review pairs of resolving them all together, as
long as a block too big to score is skipped in every part as it is in the whole (`oversized`, passed
to `resolve`). Measured at 100,000 persons: 23,532 components of 136,105 mentions, the largest 706.

The links are kept as flat integer arrays (12 bytes a key) and the components found by SciPy, so
that the county's mentions need not be held as objects while they are partitioned.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from hub.resolution.blocking import MAX_BLOCK_SIZE, block_key_hashes, key_hash
from hub.resolution.candidates import Profile


@dataclass(frozen=True, slots=True)
class Partitioning:
    """Parts of at most about `part_size` mentions (their positions, ascending within a component),
    whole components each, and the blocks (by key hash) too big to score, with their size."""

    parts: tuple[array[int], ...]
    oversized: dict[int, int]


def links_of(mentioned: Profile, *, person_id: int | None = None) -> tuple[frozenset[int], tuple[int, ...]]:
    """A mention's hashed blocking keys, and its hashed identities: its valid ID number and the
    warehouse person it belongs to (`person_id`, else the candidate's)."""
    person = person_id if person_id is not None else mentioned.candidate.person_id
    identities = [key_hash(f"person|{person}")] if person is not None else []
    if mentioned.id_number is not None:
        identities.append(key_hash(f"id|{mentioned.id_number}"))
    return block_key_hashes(mentioned), tuple(identities)


class Linker:
    """The links between mentions, added mention by mention (positions 0, 1, 2 …)."""

    def __init__(self, *, max_block_size: int = MAX_BLOCK_SIZE) -> None:
        self._max_block_size = max_block_size
        self._block_keys = array("q")
        self._block_owners = array("i")
        self._identity_keys = array("q")
        self._identity_owners = array("i")
        self._pairs = array("i")
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, *, block_keys: Iterable[int], identity_keys: Iterable[int]) -> int:
        """Add the next mention: its hashed blocking keys and hashed identities (a valid ID number, a
        warehouse person), which link whatever their number. Returns its position."""
        position = self._count
        for key in block_keys:
            self._block_keys.append(key)
            self._block_owners.append(position)
        for key in identity_keys:
            self._identity_keys.append(key)
            self._identity_owners.append(position)
        self._count += 1
        return position

    def link(self, left: int, right: int) -> None:
        """Link two mentions by position (a pair a reviewer accepted or rejected)."""
        self._pairs.extend((left, right))

    def partition(self, *, part_size: int) -> Partitioning:
        """Whole components, packed in order of their first mention into parts of about `part_size`
        (a component larger than that is a part of its own)."""
        count = self._count
        block_firsts, block_others, oversized = _edges(
            self._block_keys, self._block_owners, self._max_block_size
        )
        identity_firsts, identity_others, _ = _edges(self._identity_keys, self._identity_owners, None)
        pairs = np.frombuffer(self._pairs, dtype=np.int32)
        firsts = np.concatenate([block_firsts, identity_firsts, pairs[0::2]])
        others = np.concatenate([block_others, identity_others, pairs[1::2]])
        del block_firsts, block_others, identity_firsts, identity_others
        graph = csr_matrix((np.ones(len(firsts), dtype=np.int8), (firsts, others)), shape=(count, count))
        del firsts, others
        components, labels = connected_components(graph, directed=False)
        del graph
        # Components ranked by their first mention, then packed whole, in that order, into parts.
        positions = np.arange(count, dtype=np.int64)
        first = np.full(components, count, dtype=np.int64)
        np.minimum.at(first, labels, positions)
        rank = np.empty(components, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(components)
        ranked = rank[labels]
        sizes = np.bincount(ranked, minlength=components).tolist()
        ordered = positions[np.lexsort((positions, ranked))]
        parts: list[array[int]] = []
        start = filled = 0
        for size in sizes:
            if filled and filled + size > part_size:
                parts.append(array("q", ordered[start : start + filled].tobytes()))
                start, filled = start + filled, 0
            filled += size
        if filled:
            parts.append(array("q", ordered[start : start + filled].tobytes()))
        return Partitioning(parts=tuple(parts), oversized=oversized)


def _edges(
    keys: array[int], owners: array[int], max_size: int | None
) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """Edges (as two arrays) joining each key's first owner to its other owners, and the keys
    whose blocks exceed `max_size` (not linked: they are not scored)."""
    key_values = np.frombuffer(keys, dtype=np.int64)
    owner_values = np.frombuffer(owners, dtype=np.int32)
    if not len(key_values):
        empty = np.empty(0, dtype=np.int32)
        return empty, empty, {}
    # Stable: owners were added in position order, so each key's run lists them ascending.
    order = np.argsort(key_values, kind="stable")
    key_values, owner_values = key_values[order], owner_values[order]
    del order
    starts = np.flatnonzero(np.r_[True, key_values[1:] != key_values[:-1]])
    sizes = np.diff(np.r_[starts, len(key_values)])
    oversized: dict[int, int] = {}
    keep = np.ones(len(key_values), dtype=bool)
    keep[starts] = False  # a run's first owner is the hub of its edges
    if max_size is not None:
        too_big = sizes > max_size
        oversized = {int(k): int(s) for k, s in zip(key_values[starts[too_big]], sizes[too_big], strict=True)}
        keep &= np.repeat(~too_big, sizes)
    firsts = np.repeat(owner_values[starts], sizes)
    return firsts[keep], owner_values[keep], oversized
