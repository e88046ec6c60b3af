"""Resolution accuracy on the golden county as its departments serve it under `realistic` noise.

Candidates are built from the simulator's served, noised records (`hub.simulator.catalog`) and
scored pairwise against the truth keys the simulator attaches to every person slot.
"""

from __future__ import annotations

from collections import Counter

from hub.resolution import resolve
from hub.simulator import County
from hub.simulator.catalog import serve_county
from tests.resolution.support import pairwise_scores, served_candidates


def test_realistic_noise_resolves_with_precision_recall_and_f1_of_at_least_0_99(
    golden_county: County,
) -> None:
    served = serve_county(golden_county, noise="realistic")
    labelled = list(served_candidates(served))
    truth = {candidate.mention_id: person for candidate, person in labelled}
    result = resolve(candidate for candidate, _ in labelled)
    scores = pairwise_scores(result, truth)
    rules = Counter(merge.rule.value for merge in result.merges)
    reasons = Counter(pair.reason.value for pair in result.review)
    print(
        f"\nresolution on golden/realistic: {len(labelled)} mentions, {len(result.clusters)} clusters "
        f"for {len(set(truth.values()))} persons; precision {scores.precision:.4f} recall "
        f"{scores.recall:.4f} F1 {scores.f1:.4f}; merges {dict(rules)}; review {dict(reasons)}"
    )
    assert scores.precision >= 0.99
    assert scores.recall >= 0.99
    assert scores.f1 >= 0.99
