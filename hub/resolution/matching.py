"""Tier 3: how strongly two mentions' attributes say "same person", as a weight of evidence.

Pure: two `Profile`s in, a `PairScore` out. The score is a Fellegi–Sunter match weight in bits:
each attribute both mentions state adds log2(P(agreement | same person) / P(agreement | different
persons)) when it agrees and the corresponding (negative) weight when it disagrees; an attribute
either side leaves out adds nothing. The weights are rounded judgements of those likelihood ratios
for one county's population, listed below with why; a reviewer sees every term as `Evidence`.

Thresholds (see `classify`):
- `MATCH_BITS` = 16: reached by exact name + birth date + sex (6 + 9 + 1), by name + household
  (6 + 10), or by name + phone (6 + 8 + …). Below it a namesake born the same day is a real risk:
  in a county of a million, several thousand pairs of different people share name, birth date
  and sex. That risk is handled separately: a mention without a valid ID that reaches MATCH with
  two different ID-bearing persons is ambiguous and goes to review (see `hub.resolution.resolver`).
- `REVIEW_BITS` = 8: name + village (6 + 2), or a homophone with birth date (5 + 9 − …): worth a
  person's look, too weak to merge. Below it the pair is dropped, never returned.
- Two different valid ID numbers mean two people, with one exception: "one person under two IDs"
  (重复户口, a duplicate registration). The pair is `SECOND_ID` when the names sound the same and
  everything else reaches `SECOND_ID_BITS` = 23 *including* a shared household or phone (name +
  birth date + sex + phone is 6 + 9 + 1 + 8 = 24): two different people with one name, birth date
  and sex in one household or on one phone do not occur. The resolver merges such pairs under their
  own rule, so that the warehouse can list them for public security to cancel one number (or, with
  `merge_second_ids=False`, queues them). Without that corroboration (name, birth date, sex and
  village alone, 18 bits) the pair goes to review (`REVIEW`); below `MATCH_BITS` it is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hub.resolution.addresses import address_similarity
from hub.resolution.candidates import Profile
from hub.resolution.identity import fold_width
from hub.resolution.names import NameAgreement, compare_names

MATCH_BITS = 16.0
REVIEW_BITS = 8.0
SECOND_ID_BITS = 23.0

# Name: an exact name is shared by about 1 in 100-1,000 people of a county (small name pools);
# a homophone is almost as good, since clerks key by sound; a different name is strong evidence
# against, but not absolute (a nickname, a changed name).
NAME_WEIGHTS: dict[NameAgreement, float] = {
    NameAgreement.EXACT: 6.0,
    NameAgreement.HOMOPHONE: 5.0,
    NameAgreement.SIMILAR: 2.0,
    NameAgreement.DIFFERENT: -8.0,
}
# Birth date: ~1 in 30,000 dates over a lifetime span; disagreement almost always means two people
# (registers rarely get a birth date wrong; an ID's digits and the register agree by construction).
BIRTH_AGREE, BIRTH_DISAGREE = 9.0, -10.0
# Sex: agreement halves the field; disagreement is nearly impossible for one person.
SEX_AGREE, SEX_DISAGREE = 1.0, -8.0
# Household (户号): a handful of people share one, and within a household names are distinct by
# custom, so name + household identifies; a different household is weaker against (people move,
# and departments lag the register).
HOUSEHOLD_AGREE, HOUSEHOLD_DISAGREE = 10.0, -3.0
# Phone: mostly personal in the register (children have none); numbers change, so disagreement
# says little.
PHONE_AGREE, PHONE_DISAGREE = 8.0, -1.0
# Address: one door holds one household, but addresses are free text; only near-identical
# normalised addresses count for, clearly different ones slightly against.
ADDRESS_AGREE, ADDRESS_DISAGREE = 2.0, -1.0
ADDRESS_AGREE_RATIO, ADDRESS_DISAGREE_RATIO = 90.0, 60.0
# Village: where a case or application was made; people act mostly near home.
DIVISION_AGREE = 2.0
# An ID number that fails validation but is one character off a valid one (a slipped digit or a
# wrong check character) is nearly as good as the number itself.
ID_NEAR_AGREE = 10.0
ID_NEAR_MAX_DIFFERENCES = 1
# Recorded (not added) when both sides hold different valid ID numbers; see the module docstring.
ID_CONFLICT = -20.0


class Verdict(StrEnum):
    """What a pair's score means."""

    MATCH = "match"
    SECOND_ID = "second_id"  # different valid IDs, one person by corroborated evidence
    REVIEW = "review"
    NON_MATCH = "non_match"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One attribute's contribution: which field, how the two sides compared, and its weight in bits."""

    field: str
    outcome: str
    weight: float

    def as_json(self) -> dict[str, str | float]:
        """A JSON-ready form, for the warehouse's evidence column."""
        return {"field": self.field, "outcome": self.outcome, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class PairScore:
    """The weight of evidence for one pair, its terms, and whether the two hold different valid IDs."""

    score: float
    evidence: tuple[Evidence, ...]
    conflicting_ids: bool

    @property
    def corroborated(self) -> bool:
        """Whether the pair shares a household or a phone (what a second ID needs to merge)."""
        return any(
            term.field in ("household_no", "phone") and term.outcome == "agree" for term in self.evidence
        )

    @property
    def name_sounds_same(self) -> bool:
        """Whether the names are equal or homophones."""
        return any(
            term.field == "name" and term.outcome.split(":")[0] in ("exact", "homophone")
            for term in self.evidence
        )

    @property
    def verdict(self) -> Verdict:
        """MATCH, SECOND_ID, REVIEW or NON_MATCH under the module's thresholds."""
        second_id = self.conflicting_ids and self.corroborated and self.name_sounds_same
        return classify(self.score, conflicting_ids=self.conflicting_ids, second_id=second_id)


def classify(score: float, *, conflicting_ids: bool, second_id: bool = False) -> Verdict:
    """MATCH at `MATCH_BITS`, REVIEW at `REVIEW_BITS`; different valid IDs are SECOND_ID at
    `SECOND_ID_BITS` when corroborated (`second_id`), else at most REVIEW."""
    if conflicting_ids:
        if second_id and score >= SECOND_ID_BITS:
            return Verdict.SECOND_ID
        return Verdict.REVIEW if score >= MATCH_BITS else Verdict.NON_MATCH
    if score >= MATCH_BITS:
        return Verdict.MATCH
    if score >= REVIEW_BITS:
        return Verdict.REVIEW
    return Verdict.NON_MATCH


def compact_id(raw: str | None) -> str | None:
    """An ID number as sent, width folded, without spaces or hyphens, upper-cased (not validated)."""
    if raw is None:
        return None
    compact = "".join(fold_width(raw).split()).replace("-", "").upper()
    return compact or None


def _id_evidence(left: Profile, right: Profile) -> Evidence | None:
    if left.id_number is not None and right.id_number is not None:
        if left.id_number != right.id_number:
            return Evidence("id_number", "conflict", ID_CONFLICT)
        return Evidence("id_number", "equal", 0.0)  # tier 1 merges these; scored only on request
    valid, other = (left, right) if left.id_number is not None else (right, left)
    raw = compact_id(other.candidate.id_number_as_sent)
    if valid.id_number is None or raw is None or len(raw) != len(valid.id_number):
        return None
    differences = sum(a != b for a, b in zip(raw, valid.id_number, strict=True))
    if differences <= ID_NEAR_MAX_DIFFERENCES:
        return Evidence("id_number", "near", ID_NEAR_AGREE)
    return None


def _equality(field: str, left: object, right: object, agree: float, disagree: float) -> Evidence | None:
    if left is None or right is None:
        return None
    if left == right:
        return Evidence(field, "agree", agree)
    return Evidence(field, "disagree", disagree)


def score_pair(left: Profile, right: Profile) -> PairScore:
    """The Fellegi–Sunter weight of evidence that two mentions are one person (see module docstring).

    The ID conflict term is recorded as evidence but not added: `classify` treats it as a veto on
    merging, and the score without it tells whether the pair is worth a reviewer's time.
    """
    terms: list[Evidence] = []
    agreement, ratio = compare_names(left.name, right.name)
    terms.append(Evidence("name", f"{agreement.value}:{ratio:.0f}", NAME_WEIGHTS[agreement]))
    for term in (
        _equality("birth_date", left.birth_date, right.birth_date, BIRTH_AGREE, BIRTH_DISAGREE),
        _equality("sex", left.sex, right.sex, SEX_AGREE, SEX_DISAGREE),
        _equality("household_no", left.household_no, right.household_no, HOUSEHOLD_AGREE, HOUSEHOLD_DISAGREE),
        _equality("phone", left.phone, right.phone, PHONE_AGREE, PHONE_DISAGREE),
        _equality("division_code", left.division_code, right.division_code, DIVISION_AGREE, 0.0),
        _address_evidence(left.address, right.address),
    ):
        if term is not None:
            terms.append(term)
    id_term = _id_evidence(left, right)
    conflicting = id_term is not None and id_term.outcome == "conflict"
    if id_term is not None:
        terms.append(id_term)
    score = sum(term.weight for term in terms if not (conflicting and term is id_term))
    return PairScore(score, tuple(terms), conflicting)


def _address_evidence(left: str | None, right: str | None) -> Evidence | None:
    if left is None or right is None:
        return None
    ratio = address_similarity(left, right)
    if ratio >= ADDRESS_AGREE_RATIO:
        return Evidence("address", f"agree:{ratio:.0f}", ADDRESS_AGREE)
    if ratio < ADDRESS_DISAGREE_RATIO:
        return Evidence("address", f"disagree:{ratio:.0f}", ADDRESS_DISAGREE)
    return Evidence("address", f"unclear:{ratio:.0f}", 0.0)
