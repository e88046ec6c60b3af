"""Splitting a full resolution into parts that cannot influence each other, so that its memory
follows the largest part instead of the county.

Two mentions can end up in one person, or in one review pair, only through a chain of links
resolution sees: a pair sharing a block (of a block small enough to score, `blocking`) that could
score at least REVIEW (`bounds`), a valid ID number or a warehouse person they share, or a pair a
reviewer decided. The connected components of those links are independent: resolving each alone
gives the clusters, merges and review pairs of resolving them all together, as long as a block too
big to score is skipped in every part as it is in the whole (`oversized`, passed to `resolve`). Only
the number of comparisons differs: pairs of a block split between parts are not scored, since they
could not have mattered.

Linking every pair that shares a block is not enough: at 200,000 persons the blocks chained 122,032
of 272,114 mentions into one component, and at a million nearly all of them. Linking only the pairs
that could reach REVIEW leaves components about the size of one person's mentions and household.

The links are kept as flat integer arrays and the components found by SciPy, so that the county's
mentions need not be held as objects while they are partitioned.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from hub.resolution.blocking import MAX_BLOCK_SIZE, block_key_hashes, key_hash
from hub.resolution.bounds import Traits, TraitTable, traits_of
from hub.resolution.candidates import Profile


@dataclass(frozen=True, slots=True)
class Partitioning:
    """Parts of at most about `part_size` mentions (their positions, ascending within a component),
    whole components each, and the blocks (by key hash) too big to score, with their size."""

    parts: tuple[array[int], ...]
    oversized: dict[int, int]


@dataclass(frozen=True, slots=True)
class Links:
    """What links one mention to others: its hashed blocking keys, its hashed identities (a valid ID
    number, a warehouse person), which link whatever their number, and its traits, which tell
    which pairs of its blocks could matter (`bounds`)."""

    block_keys: frozenset[int]
    identity_keys: tuple[int, ...]
    traits: Traits


def links_of(mentioned: Profile, *, person_id: int | None = None) -> Links:
    """A mention's links; its warehouse person is `person_id`, else the candidate's."""
    person = person_id if person_id is not None else mentioned.candidate.person_id
    identities = [key_hash(f"person|{person}")] if person is not None else []
    if mentioned.id_number is not None:
        identities.append(key_hash(f"id|{mentioned.id_number}"))
    return Links(block_key_hashes(mentioned), tuple(identities), traits_of(mentioned))


class Linker:
    """The links between mentions, added mention by mention (positions 0, 1, 2 …)."""

    def __init__(self, *, max_block_size: int = MAX_BLOCK_SIZE) -> None:
        self._max_block_size = max_block_size
        self._block_keys = array("q")
        self._block_owners = array("i")
        self._identity_keys = array("q")
        self._identity_owners = array("i")
        self._pairs = array("i")
        self._traits = TraitTable()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, links: Links) -> int:
        """Add the next mention's links; returns its position."""
        position = self._count
        self._traits.add(links.traits)
        for key in links.block_keys:
            self._block_keys.append(key)
            self._block_owners.append(position)
        for key in links.identity_keys:
            self._identity_keys.append(key)
            self._identity_owners.append(position)
        self._count += 1
        return position

    def extend(self, other: Linker) -> int:
        """Add another linker's mentions after these, in their order; returns the position its
        first mention takes here. Its links to each other (`link`) are not carried over."""
        offset = self._count
        self._traits.extend(other._traits)
        self._block_keys.extend(other._block_keys)
        self._block_owners.extend(_shifted(other._block_owners, offset))
        self._identity_keys.extend(other._identity_keys)
        self._identity_owners.extend(_shifted(other._identity_owners, offset))
        self._count += other._count
        return offset

    def block_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Every mention's blocking keys, as (key hash, position) in two arrays."""
        return np.frombuffer(self._block_keys, dtype=np.int64), np.frombuffer(
            self._block_owners, dtype=np.int32
        )

    def link(self, left: int, right: int) -> None:
        """Link two mentions by position (a pair a reviewer accepted or rejected)."""
        self._pairs.extend((left, right))

    def partition(self, *, part_size: int) -> Partitioning:
        """Whole components, packed in order of their first mention into parts of about `part_size`
        (a component larger than that is a part of its own)."""
        count = self._count
        block_firsts, block_others, oversized = _block_edges(
            self._block_keys, self._block_owners, self._max_block_size, self._traits
        )
        identity_firsts, identity_others = _identity_edges(self._identity_keys, self._identity_owners)
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


def _shifted(positions: array[int], offset: int) -> array[int]:
    shifted = np.frombuffer(positions, dtype=np.int32) + offset
    return array("i", shifted.astype(np.int32).tobytes())


def _runs(keys: array[int], owners: array[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Owners grouped by key: (sorted keys, their owners, each run's start, each run's size)."""
    key_values = np.frombuffer(keys, dtype=np.int64)
    # Stable: owners were added in position order, so each key's run lists them ascending.
    order = np.argsort(key_values, kind="stable")
    key_values, owner_values = key_values[order], np.frombuffer(owners, dtype=np.int32)[order]
    del order
    starts = np.flatnonzero(np.r_[True, key_values[1:] != key_values[:-1]])
    return key_values, owner_values, starts, np.diff(np.r_[starts, len(key_values)])


def _identity_edges(keys: array[int], owners: array[int]) -> tuple[np.ndarray, np.ndarray]:
    """Edges (as two arrays) joining each identity's first owner to its other owners."""
    if not keys:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32)
    _, owner_values, starts, sizes = _runs(keys, owners)
    keep = np.ones(len(owner_values), dtype=bool)
    keep[starts] = False  # a run's first owner is the hub of its edges
    return np.repeat(owner_values[starts], sizes)[keep], owner_values[keep]


# Pairs weighed at once: each costs about 200 bytes while its traits are compared.
_PAIRS_AT_ONCE = 200_000


def _block_edges(
    keys: array[int], owners: array[int], max_size: int, traits: TraitTable
) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """Edges (as two arrays) for the pairs of each scorable block that could reach REVIEW, and the
    keys whose blocks exceed `max_size` (not linked: they are not scored)."""
    empty = np.empty(0, dtype=np.int32)
    if not keys:
        return empty, empty, {}
    key_values, owner_values, starts, sizes = _runs(keys, owners)
    too_big = sizes > max_size
    oversized = {int(k): int(s) for k, s in zip(key_values[starts[too_big]], sizes[too_big], strict=True)}
    firsts, others = [empty], [empty]
    for size in np.unique(sizes[(sizes > 1) & ~too_big]).tolist():
        left_slot, right_slot = np.triu_indices(size, k=1)
        run_starts = starts[sizes == size]
        step = max(1, _PAIRS_AT_ONCE // len(left_slot))
        for at in range(0, len(run_starts), step):
            members = owner_values[run_starts[at : at + step, None] + np.arange(size)]
            left, right = members[:, left_slot].ravel(), members[:, right_slot].ravel()
            matter = traits.could_reach_review(left, right)
            firsts.append(left[matter])
            others.append(right[matter])
    return np.concatenate(firsts), np.concatenate(others), oversized
