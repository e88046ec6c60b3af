"""Splitting a full resolution into parts that cannot influence each other, so that its memory
follows the largest part instead of the county.

Two mentions can end up in one person only through a chain of links resolution sees: a blocking key
they share (of a block small enough to score, `blocking`), a valid ID number or a warehouse person
they share, or a pair a reviewer decided. The connected components of those links are independent:
resolving each alone gives the clusters, merges and review pairs of resolving them all together, as
long as a block too big to score is skipped in every part as it is in the whole (`oversized`, passed
to `resolve`). Measured at 100,000 persons: 23,532 components of 136,105 mentions, the largest 706.

The links are kept as flat integer arrays (16 bytes a key) and the components found by SciPy, so
that the county's mentions need not be held as objects while they are partitioned.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hub.resolution.blocking import MAX_BLOCK_SIZE, blocking_keys, key_hash
from hub.resolution.candidates import Profile


@dataclass(frozen=True, slots=True)
class Partitioning:
    """Parts of at most about `part_size` mentions (by position), whole components each, and the
    blocks (by key hash) too big to score, with their size."""

    parts: tuple[tuple[int, ...], ...]
    oversized: dict[int, int]


def links_of(mentioned: Profile, *, person_id: int | None = None) -> tuple[frozenset[int], tuple[int, ...]]:
    """A mention's hashed blocking keys, and its hashed identities: its valid ID number and the
    warehouse person it belongs to (`person_id`, else the candidate's)."""
    person = person_id if person_id is not None else mentioned.candidate.person_id
    identities = [key_hash(f"person|{person}")] if person is not None else []
    if mentioned.id_number is not None:
        identities.append(key_hash(f"id|{mentioned.id_number}"))
    return frozenset(key_hash(key) for key in blocking_keys(mentioned)), tuple(identities)


class Linker:
    """The links between mentions, added mention by mention (positions 0, 1, 2 …)."""

    def __init__(self, *, max_block_size: int = MAX_BLOCK_SIZE) -> None:
        self._max_block_size = max_block_size
        self._block_keys = array("q")
        self._block_owners = array("q")
        self._identity_keys = array("q")
        self._identity_owners = array("q")
        self._pairs = array("q")
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
        block_edges, oversized = _edges(self._block_keys, self._block_owners, self._max_block_size)
        identity_edges, _ = _edges(self._identity_keys, self._identity_owners, None)
        pairs = np.frombuffer(self._pairs, dtype=np.int64).reshape(-1, 2)
        edges = np.concatenate([block_edges, identity_edges, pairs])
        graph = coo_matrix(
            (np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(self._count, self._count)
        )
        _, labels = connected_components(graph, directed=False)
        # Stable: each component's positions stay in order, components in order of their first.
        order = np.argsort(labels, kind="stable")
        bounds = np.flatnonzero(np.diff(labels[order])) + 1
        components = sorted(np.split(order, bounds), key=lambda members: int(members[0]))
        parts: list[tuple[int, ...]] = []
        current: list[int] = []
        for members in components:
            if current and len(current) + len(members) > part_size:
                parts.append(tuple(current))
                current = []
            current.extend(members.tolist())
        if current:
            parts.append(tuple(current))
        return Partitioning(parts=tuple(parts), oversized=oversized)


def _edges(keys: array[int], owners: array[int], max_size: int | None) -> tuple[np.ndarray, dict[int, int]]:
    """Edges joining each key's first owner to its other owners, and the keys whose blocks exceed
    `max_size` (not linked: they are not scored)."""
    key_values = np.frombuffer(keys, dtype=np.int64)
    owner_values = np.frombuffer(owners, dtype=np.int64)
    if not len(key_values):
        return np.empty((0, 2), dtype=np.int64), {}
    order = np.lexsort((owner_values, key_values))
    key_values, owner_values = key_values[order], owner_values[order]
    starts = np.flatnonzero(np.r_[True, key_values[1:] != key_values[:-1]])
    sizes = np.diff(np.r_[starts, len(key_values)])
    oversized: dict[int, int] = {}
    if max_size is not None:
        too_big = sizes > max_size
        oversized = {int(k): int(s) for k, s in zip(key_values[starts[too_big]], sizes[too_big], strict=True)}
    run_start = np.repeat(starts, sizes)
    keep = run_start != np.arange(len(key_values))
    if oversized:
        keep &= np.repeat(sizes <= max_size, sizes)
    return np.column_stack((owner_values[run_start[keep]], owner_values[keep])), oversized
