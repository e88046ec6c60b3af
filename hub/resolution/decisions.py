"""What resolution decides: merges with their rule and evidence, pairs for review, and clusters.

Everything here is data, so that the warehouse can store it: a merge is a `MatchDecision` row
(undone by deleting it and forbidding the pair, see `hub.resolution.resolver.split`), a
`ReviewPair` is a row in the review queue, and a `Cluster` is one person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from hub.resolution.blocking import SkippedBlock
from hub.resolution.candidates import Profile
from hub.resolution.matching import Evidence

MentionPair = tuple[str, str]  # two mention ids, the smaller first


def mention_pair(left: str, right: str) -> MentionPair:
    """The pair in canonical order (smaller mention id first), as decisions and the queue store it."""
    return (left, right) if left <= right else (right, left)


class MatchRule(StrEnum):
    """Why two mentions were merged; `tier` orders them from most to least certain."""

    SAME_PERSON = "same_person"  # both already belong to one warehouse person
    EXACT_ID = "exact_id"  # tier 1: the same valid 18-digit ID number
    LEGACY_ID = "legacy_id"  # tier 2: a 15-digit number that upgrades to the other's 18-digit one
    REVIEWED = "reviewed"  # a reviewer confirmed a pair from the queue
    FUZZY = "fuzzy"  # tier 3: attributes agree with a weight of evidence of at least MATCH_BITS
    SECOND_ID = "second_id"  # tier 3: one person under two valid IDs (重复户口), corroborated

    @property
    def tier(self) -> int:
        """0 for warehouse identity, 1 and 2 for the ID tiers, 3 for fuzzy and reviewed pairs."""
        return _TIERS[self]


_TIERS = {
    MatchRule.SAME_PERSON: 0,
    MatchRule.EXACT_ID: 1,
    MatchRule.LEGACY_ID: 2,
    MatchRule.REVIEWED: 3,
    MatchRule.FUZZY: 3,
    MatchRule.SECOND_ID: 3,
}


class ReviewReason(StrEnum):
    """Why a pair went to the review queue instead of being merged."""

    GREY_BAND = "grey_band"  # the evidence is between REVIEW_BITS and MATCH_BITS
    DIFFERENT_IDS = "different_ids"  # all else agrees but both hold valid, different ID numbers
    AMBIGUOUS = "ambiguous"  # a mention without an ID matches two ID-bearing persons about as well
    CONFLICT = "conflict"  # merging would put two ID numbers or two warehouse persons in one cluster


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """One merge: the two mentions it joined, the rule, the score in bits and the evidence."""

    left: str
    right: str
    rule: MatchRule
    score: float
    evidence: tuple[Evidence, ...]

    @property
    def pair(self) -> MentionPair:
        """The two mention ids, smaller first."""
        return (self.left, self.right)

    @property
    def tier(self) -> int:
        """The rule's tier (see `MatchRule.tier`)."""
        return self.rule.tier


@dataclass(frozen=True, slots=True)
class ReviewPair:
    """A pair for a person to decide; never merged until confirmed (see `resolve(confirmed=…)`)."""

    left: str
    right: str
    reason: ReviewReason
    score: float
    evidence: tuple[Evidence, ...]

    @property
    def pair(self) -> MentionPair:
        """The two mention ids, smaller first."""
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class CanonicalIdentity:
    """The identity a cluster stands for, taken from its most trusted mentions.

    `anchor` is the most trusted mention (warehouse person first, then department priority, then
    a valid original ID); `name` is its normalised name; birth date and sex come from the most
    trusted mention that states them. A cluster holds at most one valid ID number.
    """

    anchor: str
    person_id: int | None
    id_number: str | None
    name: str
    birth_date: dt.date | None
    sex: str | None

    @property
    def identity_key(self) -> str:
        """A stable key for the person: warehouse id, else `id:<number>`, else `mention:<anchor>`.

        `id:` keys are the ones the warehouse's exact-ID loader already writes.
        """
        if self.person_id is not None:
            return f"person:{self.person_id}"
        if self.id_number is not None:
            return f"id:{self.id_number}"
        return f"mention:{self.anchor}"


@dataclass(frozen=True, slots=True)
class Cluster:
    """One person: the mention ids resolved to them (sorted) and their canonical identity."""

    mention_ids: tuple[str, ...]
    canonical: CanonicalIdentity


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving a set of candidates.

    `clusters` are ordered by their first mention id; `merges` by (tier, left, right); `review`
    by (left, right). `forbidden` are the pairs the caller said must stay apart, plus any split
    since. `comparisons` counts scored pairs (what blocking keeps linear).
    """

    clusters: tuple[Cluster, ...]
    merges: tuple[MatchDecision, ...]
    review: tuple[ReviewPair, ...]
    skipped_blocks: tuple[SkippedBlock, ...]
    forbidden: frozenset[MentionPair]
    comparisons: int
    profiles: tuple[Profile, ...] = field(repr=False)

    def cluster_of(self, mention_id: str) -> Cluster:
        """The cluster holding a mention."""
        for cluster in self.clusters:
            if mention_id in cluster.mention_ids:
                return cluster
        raise KeyError(mention_id)

    def cluster_index(self) -> dict[str, int]:
        """Mention id → position of its cluster in `clusters`."""
        return {
            mention: index for index, cluster in enumerate(self.clusters) for mention in cluster.mention_ids
        }
