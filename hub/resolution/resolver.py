"""Resolving mentions into persons: deterministic ID tiers, then fuzzy evidence, then clusters.

`resolve` is pure: candidates (and the reviewers' and undoers' past word) in, a `Resolution` out,
the same output for the same input in any order. Steps:

1. Tier 0/1/2 edges: mentions of one warehouse person; one valid 18-digit ID; a 15-digit legacy
   number equal to an 18-digit one once upgraded. Each group is joined as a star around its most
   trusted mention, so each merge is one `MatchDecision` and undoing one detaches one mention.
2. Tier 3: pairs sharing a block (`blocking`) are scored (`matching`); MATCH pairs become fuzzy
   edges, REVIEW pairs review candidates. A mention without an ID that matches two ID-bearing
   persons within `AMBIGUITY_MARGIN_BITS` of each other is merged with neither (review).
3. Edges are applied strongest first (tier, then score) with union-find, under three constraints:
   a cluster holds at most one valid ID number, at most one warehouse person, and no forbidden pair.
   A fuzzy edge that would break one goes to review as a CONFLICT. Only edges that joined two
   clusters are recorded: the merges form a forest, so `split` of one decision splits one cluster.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import structlog

from hub.resolution.blocking import MAX_BLOCK_SIZE, candidate_pairs
from hub.resolution.candidates import PersonCandidate, Profile, profile
from hub.resolution.decisions import (
    CanonicalIdentity,
    Cluster,
    MatchDecision,
    MatchRule,
    Resolution,
    ReviewPair,
    ReviewReason,
    mention_pair,
)
from hub.resolution.matching import Evidence, PairScore, Verdict, score_pair

log = structlog.get_logger(__name__)

# Weight recorded for deterministic merges: an equal valid ID number (or warehouse person) outweighs
# any combination of attributes; kept finite so that it stores as a number.
DETERMINISTIC_BITS = 30.0
# A mention without an ID matching two ID-bearing persons: the better must beat the other by this
# much (e.g. household agreement, 10 bits) to be merged; otherwise both pairs go to review.
AMBIGUITY_MARGIN_BITS = 6.0
# A review pair is dropped when one of its mentions (one without a valid ID) was merged elsewhere
# on evidence this much stronger: a twin's name-and-birth pair beside the person's own full match.
DOMINANCE_BITS = 6.0

# Whose record describes a person best: the household register is the authority on identity.
DEFAULT_DEPARTMENT_PRIORITY: Mapping[str, int] = {
    "public_security": 0,
    "registry": 1,
    "civil_affairs": 2,
    "justice": 3,
    "petitions": 4,
}


@dataclass(slots=True)
class _Group:
    members: list[int]
    id_numbers: frozenset[str]
    person_id: int | None
    forbids: set[int] = field(default_factory=set)


class _Clusters:
    """Union-find over profile indexes that refuses joins breaking a cluster's constraints.

    A mention nobody joined has no `_Group` of its own (it is read from its profile when asked):
    at county scale most mentions stay alone, and an object with three collections each would be
    most of resolution's memory.
    """

    def __init__(self, profiles: Sequence[Profile], forbidden: Mapping[int, set[int]]) -> None:
        self._profiles = profiles
        self._forbidden = forbidden
        self._parent = array("l", range(len(profiles)))
        self._groups: dict[int, _Group] = {}

    def find(self, index: int) -> int:
        root = index
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[index] != root:  # path compression keeps finds near constant
            self._parent[index], index = root, self._parent[index]
        return root

    def group(self, index: int) -> _Group:
        root = self.find(index)
        return self._groups.get(root) or self._alone(root)

    def _alone(self, index: int) -> _Group:
        profile = self._profiles[index]
        return _Group(
            [index],
            frozenset({profile.id_number}) if profile.id_number is not None else frozenset(),
            profile.candidate.person_id,
            set(self._forbidden.get(index, ())),
        )

    def can_join(self, left: int, right: int, *, two_ids_allowed: bool = False) -> bool:
        """Whether joining keeps one warehouse person, no forbidden pair and, unless a reviewer or a
        corroborated second-ID pair allows two, one ID number per cluster."""
        a, b = self.group(left), self.group(right)
        if not two_ids_allowed and a.id_numbers and b.id_numbers and a.id_numbers != b.id_numbers:
            return False
        if a.person_id is not None and b.person_id is not None and a.person_id != b.person_id:
            return False
        return not self.forbidden_between(left, right)

    def forbidden_between(self, left: int, right: int) -> bool:
        """Whether a forbidden pair spans the two clusters."""
        a, b = self.group(left), self.group(right)
        small, large = (a, b) if len(a.members) <= len(b.members) else (b, a)
        return any(member in large.forbids for member in small.members)

    def join(self, left: int, right: int) -> None:
        a_root, b_root = self.find(left), self.find(right)
        if a_root == b_root:
            return  # already one cluster (several deterministic edges can link the same mentions)
        a = self._groups.pop(a_root, None) or self._alone(a_root)
        b = self._groups.pop(b_root, None) or self._alone(b_root)
        if len(a.members) < len(b.members):
            a_root, b_root, a, b = b_root, a_root, b, a
        self._parent[b_root] = a_root
        a.members += b.members
        a.forbids |= b.forbids
        a.id_numbers |= b.id_numbers
        a.person_id = a.person_id if a.person_id is not None else b.person_id
        self._groups[a_root] = a

    def roots(self) -> Iterator[list[int]]:
        """Every cluster's members, in order."""
        for index, parent in enumerate(self._parent):
            if index == parent:
                group = self._groups.get(index)
                yield sorted(group.members) if group is not None else [index]


Trust = tuple[int, int, int, int, str]


def _trusts(profiles: Sequence[Profile], priority: Mapping[str, int]) -> list[Trust]:
    """Each profile's `_trust`, by position, computed once for the rankings that use it (the hub of
    an identity's mentions, a cluster's anchor): at every ranking it was a tenth of `resolve` in a
    full pass (py-spy, 1,000,000 persons)."""
    return [_trust(profile, priority) for profile in profiles]


def _trust(profile: Profile, priority: Mapping[str, int]) -> Trust:
    candidate = profile.candidate
    filled = sum(value is not None for value in (profile.birth_date, profile.sex, profile.phone))
    return (
        0 if candidate.person_id is not None else 1,
        priority.get(candidate.department, len(priority)),
        0 if profile.id_number is not None and not profile.id.upgraded else 1,
        -filled,
        candidate.mention_id,
    )


def _deterministic_edges(profiles: Sequence[Profile], trust: Sequence[Trust]) -> list[MatchDecision]:
    by_person: dict[int, list[int]] = defaultdict(list)
    by_id: dict[str, list[int]] = defaultdict(list)
    for index, p in enumerate(profiles):
        if p.candidate.person_id is not None:
            by_person[p.candidate.person_id].append(index)
        if p.id_number is not None:
            by_id[p.id_number].append(index)
    edges: list[MatchDecision] = []
    for members in by_person.values():
        hub_index = min(members, key=trust.__getitem__)
        evidence = (Evidence("person_id", "equal", DETERMINISTIC_BITS),)
        for other in members:
            if other != hub_index:
                left, right = mention_pair(profiles[hub_index].mention_id, profiles[other].mention_id)
                edges.append(MatchDecision(left, right, MatchRule.SAME_PERSON, DETERMINISTIC_BITS, evidence))
    for members in by_id.values():
        hub_index = min(members, key=trust.__getitem__)
        for other in members:
            if other == hub_index:
                continue
            legacy = profiles[hub_index].id.upgraded or profiles[other].id.upgraded
            rule = MatchRule.LEGACY_ID if legacy else MatchRule.EXACT_ID
            outcome = "equal_after_upgrade" if legacy else "equal"
            evidence = (Evidence("id_number", outcome, DETERMINISTIC_BITS),)
            left, right = mention_pair(profiles[hub_index].mention_id, profiles[other].mention_id)
            edges.append(MatchDecision(left, right, rule, DETERMINISTIC_BITS, evidence))
    return edges


@dataclass(slots=True)
class _Scored:
    left: int
    right: int
    score: PairScore


def _decision(profiles: Sequence[Profile], scored: _Scored, rule: MatchRule) -> MatchDecision:
    left, right = mention_pair(profiles[scored.left].mention_id, profiles[scored.right].mention_id)
    return MatchDecision(left, right, rule, scored.score.score, scored.score.evidence)


def _review(profiles: Sequence[Profile], scored: _Scored, reason: ReviewReason) -> ReviewPair:
    left, right = mention_pair(profiles[scored.left].mention_id, profiles[scored.right].mention_id)
    return ReviewPair(left, right, reason, scored.score.score, scored.score.evidence)


def _has_identity(profile: Profile) -> bool:
    return profile.id_number is not None or profile.candidate.person_id is not None


def _anchored(
    profiles: Sequence[Profile], matches: list[_Scored], anchors: _Clusters
) -> tuple[list[_Scored], list[_Scored]]:
    """MATCH pairs to merge, and those too ambiguous to merge (the rest are dominated: dropped).

    A mention without an identity (no valid ID, no warehouse person) that matches mentions of two
    different identities could be either person: unless one is better by `AMBIGUITY_MARGIN_BITS`
    it is merged with neither; if one is, its pairs with the other identity are dropped.
    """
    by_loose: dict[int, dict[int, float]] = defaultdict(dict)  # loose mention → identity root → best
    for scored in matches:
        for loose, other in ((scored.left, scored.right), (scored.right, scored.left)):
            if not _has_identity(profiles[loose]) and _has_identity(profiles[other]):
                root = anchors.find(other)
                best = by_loose[loose].get(root, float("-inf"))
                by_loose[loose][root] = max(best, scored.score.score)
    chosen: dict[int, int | None] = {}
    for loose, targets in by_loose.items():
        ranked = sorted(targets.items(), key=lambda item: (-item[1], item[0]))
        clear = len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= AMBIGUITY_MARGIN_BITS
        chosen[loose] = ranked[0][0] if clear else None
    keep: list[_Scored] = []
    ambiguous: list[_Scored] = []
    for scored in matches:
        status = "keep"
        for loose, other in ((scored.left, scored.right), (scored.right, scored.left)):
            if loose not in chosen or not _has_identity(profiles[other]):
                continue
            target = chosen[loose]
            if target is None:
                status = "ambiguous"
            elif anchors.find(other) != target and status == "keep":
                status = "dominated"
        if status == "keep":
            keep.append(scored)
        elif status == "ambiguous":
            ambiguous.append(scored)
    return keep, ambiguous


def _canonical(profiles: Sequence[Profile], members: Sequence[int], trust: Sequence[Trust]) -> Cluster:
    ranked = sorted(members, key=trust.__getitem__)
    anchor = profiles[ranked[0]]
    ordered = [profiles[index] for index in ranked]
    identity = CanonicalIdentity(
        anchor=anchor.mention_id,
        person_id=next((p.candidate.person_id for p in ordered if p.candidate.person_id is not None), None),
        id_number=next((p.id_number for p in ordered if p.id_number is not None), None),
        name=anchor.name.name,
        birth_date=next((p.birth_date for p in ordered if p.birth_date is not None), None),
        sex=next((p.sex for p in ordered if p.sex is not None), None),
    )
    return Cluster(tuple(sorted(p.mention_id for p in ordered)), identity)


def _clusters(
    profiles: Sequence[Profile], groups: Iterable[Sequence[int]], trust: Sequence[Trust]
) -> tuple[Cluster, ...]:
    clusters = [_canonical(profiles, members, trust) for members in groups]
    return tuple(sorted(clusters, key=lambda cluster: cluster.mention_ids[0]))


def _indexed_pairs(pairs: Iterable[tuple[str, str]], index: Mapping[str, int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for left, right in pairs:
        if left in index and right in index and left != right:
            a, b = index[left], index[right]
            found.add((min(a, b), max(a, b)))
    return found


def resolve(
    candidates: Iterable[PersonCandidate],
    *,
    confirmed: Iterable[tuple[str, str]] = (),
    forbidden: Iterable[tuple[str, str]] = (),
    max_block_size: int = MAX_BLOCK_SIZE,
    department_priority: Mapping[str, int] = DEFAULT_DEPARTMENT_PRIORITY,
    merge_second_ids: bool = True,
    oversized: Mapping[int, int] | None = None,
) -> Resolution:
    """Resolve mentions into persons (see module docstring); the same input gives the same output.

    `confirmed` are pairs a reviewer accepted from the queue: merged with rule REVIEWED, even across
    two ID numbers (a reviewer's decision on 重复户口). `forbidden` are pairs a reviewer rejected or
    a split undid: never merged again, directly or through others, and not queued again. Raises
    `ValueError` when two candidates share a mention id. With `merge_second_ids=False`, one person
    under two valid IDs is queued (DIFFERENT_IDS) instead of merged under rule SECOND_ID.
    `oversized` (blocking key hash → size) are blocks too big to score seen from the whole of a
    partitioned pass (`hub.resolution.partitions`), skipped here too.
    """
    ordered = sorted(candidates, key=lambda candidate: candidate.mention_id)
    profiles = tuple(profile(candidate) for candidate in ordered)
    index = {p.mention_id: position for position, p in enumerate(profiles)}
    trust = _trusts(profiles, department_priority)
    if len(index) != len(profiles):
        raise ValueError("mention ids must be unique")
    forbidden_pairs = frozenset(mention_pair(left, right) for left, right in forbidden)
    forbidden_indexes = _indexed_pairs(forbidden_pairs, index)
    forbid_map: dict[int, set[int]] = defaultdict(set)
    for a, b in forbidden_indexes:
        forbid_map[a].add(b)
        forbid_map[b].add(a)
    groups = _Clusters(profiles, forbid_map)
    merges: list[MatchDecision] = []
    review: list[ReviewPair] = []

    for edge in sorted(_deterministic_edges(profiles, trust), key=lambda e: (e.tier, e.left, e.right)):
        a, b = index[edge.left], index[edge.right]
        if groups.can_join(a, b):
            groups.join(a, b)
            merges.append(edge)
        elif (min(a, b), max(a, b)) not in forbidden_indexes:
            review.append(ReviewPair(edge.left, edge.right, ReviewReason.CONFLICT, edge.score, edge.evidence))

    blocks = candidate_pairs(profiles, max_block_size=max_block_size, oversized=oversized)
    for skipped in blocks.skipped:
        log.warning("resolution.block_skipped", key=skipped.key, size=skipped.size)
    matches: list[_Scored] = []
    for a, b in blocks.pairs:
        if (a, b) in forbidden_indexes:
            continue
        scored = _Scored(a, b, score_pair(profiles[a], profiles[b]))
        verdict = scored.score.verdict
        if verdict is Verdict.MATCH or (verdict is Verdict.SECOND_ID and merge_second_ids):
            matches.append(scored)
        elif verdict in (Verdict.REVIEW, Verdict.SECOND_ID):
            reason = ReviewReason.DIFFERENT_IDS if scored.score.conflicting_ids else ReviewReason.GREY_BAND
            review.append(_review(profiles, scored, reason))
    keep, ambiguous = _anchored(profiles, matches, groups)
    review += [_review(profiles, scored, ReviewReason.AMBIGUOUS) for scored in ambiguous]

    for a, b in sorted(_indexed_pairs(confirmed, index) - forbidden_indexes):
        scored = _Scored(a, b, score_pair(profiles[a], profiles[b]))
        if groups.find(a) != groups.find(b) and groups.can_join(a, b, two_ids_allowed=True):
            groups.join(a, b)
            merges.append(_decision(profiles, scored, MatchRule.REVIEWED))

    best_merge: dict[int, float] = defaultdict(lambda: float("-inf"))
    for scored in sorted(keep, key=lambda s: (-s.score.score, s.left, s.right)):
        two_ids = scored.score.conflicting_ids
        if groups.find(scored.left) == groups.find(scored.right):
            pass  # already one person: the pair adds nothing to undo
        elif groups.can_join(scored.left, scored.right, two_ids_allowed=two_ids):
            groups.join(scored.left, scored.right)
            rule = MatchRule.SECOND_ID if two_ids else MatchRule.FUZZY
            merges.append(_decision(profiles, scored, rule))
        else:
            review.append(_review(profiles, scored, ReviewReason.CONFLICT))
            continue
        for side in (scored.left, scored.right):
            best_merge[side] = max(best_merge[side], scored.score.score)

    clusters = _clusters(profiles, groups.roots(), trust)
    return Resolution(
        clusters=clusters,
        merges=tuple(sorted(merges, key=lambda m: (m.tier, m.left, m.right))),
        review=_queue(review, profiles, index, groups, best_merge),
        skipped_blocks=blocks.skipped,
        forbidden=forbidden_pairs,
        comparisons=len(blocks.pairs),
        profiles=profiles,
    )


def _queue(
    review: Iterable[ReviewPair],
    profiles: Sequence[Profile],
    index: Mapping[str, int],
    groups: _Clusters,
    best_merge: Mapping[int, float],
) -> tuple[ReviewPair, ...]:
    """The review queue: one pair per two clusters (the strongest), none already one person,
    none dominated by a much stronger merge of its identity-less side."""
    best: dict[tuple[int, int], ReviewPair] = {}
    for pair in review:
        a, b = index[pair.left], index[pair.right]
        root_a, root_b = groups.find(a), groups.find(b)
        if root_a == root_b or groups.forbidden_between(a, b):
            continue  # already one person, or a reviewer or a split said they are two
        if any(
            not _has_identity(profiles[side])
            and best_merge.get(side, float("-inf")) >= pair.score + DOMINANCE_BITS
            for side in (a, b)
        ):
            continue
        key = (min(root_a, root_b), max(root_a, root_b))
        current = best.get(key)
        if current is None or (-pair.score, pair.pair) < (-current.score, current.pair):
            best[key] = pair
    return tuple(sorted(best.values(), key=lambda pair: pair.pair))


def split(
    resolution: Resolution,
    decision: MatchDecision,
    *,
    department_priority: Mapping[str, int] = DEFAULT_DEPARTMENT_PRIORITY,
) -> Resolution:
    """Undo one merge: the resolution without `decision`, its pair added to `forbidden`.

    Merges form a forest, so the decision's cluster falls into exactly two. The caller persists the
    forbidden pair and passes it to later `resolve` calls, so that no later run merges the two sides
    again, through this pair or any other. Raises `ValueError` for a decision not among the merges.
    """
    if decision not in resolution.merges:
        raise ValueError(f"not a merge of this resolution: {decision.left} ~ {decision.right}")
    profiles = resolution.profiles
    index = {p.mention_id: position for position, p in enumerate(profiles)}
    remaining = tuple(merge for merge in resolution.merges if merge != decision)
    parent = list(range(len(profiles)))

    def find(position: int) -> int:
        while parent[position] != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    for merge in remaining:
        parent[find(index[merge.left])] = find(index[merge.right])
    members: dict[int, list[int]] = defaultdict(list)
    for position in range(len(profiles)):
        members[find(position)].append(position)
    return Resolution(
        clusters=_clusters(profiles, members.values(), _trusts(profiles, department_priority)),
        merges=remaining,
        review=resolution.review,
        skipped_blocks=resolution.skipped_blocks,
        forbidden=resolution.forbidden | {decision.pair},
        comparisons=resolution.comparisons,
        profiles=profiles,
    )
