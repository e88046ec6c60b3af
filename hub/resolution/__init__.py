"""Identity normalisation and matching of people across departments.

`resolve(candidates)` turns person mentions into persons: tier 1 exact valid ID, tier 2 upgraded
legacy ID, tier 3 fuzzy evidence on name (characters and surname-aware pinyin), birth date, sex,
household, phone, address and village, with blocking so cost grows linearly with rows. Uncertain
pairs come back as a review queue, never merged; every merge is a `MatchDecision` with its rule,
score and evidence, and `split` undoes one.
"""

from hub.resolution.candidates import PersonCandidate
from hub.resolution.decisions import (
    CanonicalIdentity,
    Cluster,
    MatchDecision,
    MatchRule,
    Resolution,
    ReviewPair,
    ReviewReason,
)
from hub.resolution.matching import Evidence
from hub.resolution.resolver import resolve, split

__all__ = [
    "CanonicalIdentity",
    "Cluster",
    "Evidence",
    "MatchDecision",
    "MatchRule",
    "PersonCandidate",
    "Resolution",
    "ReviewPair",
    "ReviewReason",
    "resolve",
    "split",
]
