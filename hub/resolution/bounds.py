"""Which pairs of mentions could matter to resolution, decided from a few numbers per mention.

A pair changes what `resolve` does only when `matching` scores it at least REVIEW (a merge, a review
pair, a conflict); a pair that scores below that is dropped unseen. Partitioning links the mentions
of a block only by the pairs that could reach REVIEW, so that a county's blocks do not chain most of
its mentions into one part (at 200,000 persons, linking every block made one part of 122,032 of
272,114 mentions; at a million nearly all of them).

Whether a pair could reach REVIEW is decided by an upper bound on its score, from `Traits`: each
term of `matching.score_pair` is either computed exactly (name agreement, birth date, sex,
household, phone, village, a near ID number) or bounded from above (address similarity, which
would need the text). Values are compared by hash; a hash collision makes two values look equal,
which only raises the bound: it can link a pair needlessly, never separate one that matters.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
from xxhash import xxh3_64_intdigest

from hub.resolution.candidates import Profile
from hub.resolution.matching import (
    ADDRESS_AGREE,
    BIRTH_AGREE,
    BIRTH_DISAGREE,
    DIVISION_AGREE,
    HOUSEHOLD_AGREE,
    HOUSEHOLD_DISAGREE,
    ID_NEAR_AGREE,
    ID_NEAR_MAX_DIFFERENCES,
    MATCH_BITS,
    NAME_WEIGHTS,
    PHONE_AGREE,
    PHONE_DISAGREE,
    REVIEW_BITS,
    SEX_AGREE,
    SEX_DISAGREE,
    compact_id,
)
from hub.resolution.names import SIMILAR_MIN_SYLLABLES, NameAgreement

# Syllables kept one by one: enough for the names that can be SIMILAR in practice (three or four
# syllables); a longer name is SIMILAR to any other of its length as far as the bound knows.
KEPT_SYLLABLES = 4
_ID_LENGTH = 18
# Columns of the hashed traits, in order.
_NAME, _PINYIN, _HOUSEHOLD, _PHONE, _DIVISION, _VALID_ID = range(6)
_SYLLABLE = 6  # … _SYLLABLE + KEPT_SYLLABLES - 1
_HASHED = _SYLLABLE + KEPT_SYLLABLES


@dataclass(frozen=True, slots=True)
class Traits:
    """What the bound reads of one mention: hashes (0 for not stated) and small numbers."""

    hashed: tuple[int, ...]  # name, pinyin, household, phone, village, valid ID, syllables …
    syllables: int
    birth: int  # proleptic ordinal, 0 when not stated
    sex: int  # 0 when not stated
    address: bool  # an address is stated
    id_chars: bytes  # the valid ID, or the number as sent when 18 ASCII characters; else empty
    odd_id: bool  # no valid ID, and a number sent of 18 characters that are not all ASCII


def _hashed(value: str | None) -> int:
    # xxHash, not Python's own `hash`, which is salted per process: a full pass computes its
    # mentions' traits in several processes and compares them in one (`partitions`).
    if not value:
        return 0
    return xxh3_64_intdigest(value.encode()) or 1  # 0 stands for "not stated"


def traits_of(mentioned: Profile) -> Traits:
    """The numbers `TraitTable.could_reach_review` compares for this mention."""
    name = mentioned.name
    syllables = name.pinyin
    kept = tuple(_hashed(s) for s in syllables[:KEPT_SYLLABLES])
    valid = mentioned.id_number
    raw = None if valid is not None else compact_id(mentioned.candidate.id_number_as_sent)
    sent = valid if valid is not None else raw
    ascii_id = sent is not None and len(sent) == _ID_LENGTH and sent.isascii()
    return Traits(
        hashed=(
            _hashed(name.name),
            _hashed(name.pinyin_text),
            _hashed(mentioned.household_no),
            _hashed(mentioned.phone),
            _hashed(mentioned.division_code),
            _hashed(valid),
            *kept,
            *(0,) * (KEPT_SYLLABLES - len(kept)),
        ),
        syllables=len(syllables),
        birth=mentioned.birth_date.toordinal() if mentioned.birth_date is not None else 0,
        sex=int(mentioned.sex) if mentioned.sex is not None else 0,
        address=mentioned.address is not None,
        id_chars=sent.encode() if ascii_id and sent is not None else b"",
        odd_id=raw is not None and len(raw) == _ID_LENGTH and not raw.isascii(),
    )


class TraitTable:
    """Every mention's traits, added in position order, as flat arrays."""

    def __init__(self) -> None:
        self._hashed = array("Q")
        self._small = array("q")  # syllables, birth, sex, address, odd_id
        self._id_chars = bytearray()

    def add(self, traits: Traits) -> None:
        """Add the next mention's traits."""
        self._hashed.extend(traits.hashed)
        self._small.extend(
            (traits.syllables, traits.birth, traits.sex, int(traits.address), int(traits.odd_id))
        )
        self._id_chars += traits.id_chars.ljust(_ID_LENGTH, b"\0")

    def extend(self, other: TraitTable) -> None:
        """Add another table's mentions after these, in their order."""
        self._hashed.extend(other._hashed)
        self._small.extend(other._small)
        self._id_chars += other._id_chars

    def could_reach_review(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """For pairs of positions, whether `matching.score_pair` could classify the pair above
        NON_MATCH (see module docstring); pairs two valid ID numbers rule out are False."""
        hashed = np.frombuffer(self._hashed, dtype=np.uint64).reshape(-1, _HASHED)
        small = np.frombuffer(self._small, dtype=np.int64).reshape(-1, 5)
        a, b = hashed[left], hashed[right]
        sa, sb = small[left], small[right]
        bound = _name_term(a, b, sa[:, 0], sb[:, 0])
        bound += _equality(sa[:, 1], sb[:, 1], BIRTH_AGREE, BIRTH_DISAGREE)
        bound += _equality(sa[:, 2], sb[:, 2], SEX_AGREE, SEX_DISAGREE)
        bound += _equality(a[:, _HOUSEHOLD], b[:, _HOUSEHOLD], HOUSEHOLD_AGREE, HOUSEHOLD_DISAGREE)
        bound += _equality(a[:, _PHONE], b[:, _PHONE], PHONE_AGREE, PHONE_DISAGREE)
        bound += _equality(a[:, _DIVISION], b[:, _DIVISION], DIVISION_AGREE, 0.0)
        bound += np.where((sa[:, 3] == 1) & (sb[:, 3] == 1), ADDRESS_AGREE, 0.0)
        valid_a, valid_b = a[:, _VALID_ID] != 0, b[:, _VALID_ID] != 0
        bound += np.where(
            self._near_id(left, right, valid_a, valid_b, sa[:, 4], sb[:, 4]), ID_NEAR_AGREE, 0.0
        )
        # Two different valid IDs: only names that sound the same are scored, and they reach at
        # most REVIEW, from MATCH_BITS (`matching.classify`). Equal valid IDs are one person already.
        both = valid_a & valid_b
        sounds_same = a[:, _PINYIN] == b[:, _PINYIN]
        conflict_ok = sounds_same & (a[:, _VALID_ID] != b[:, _VALID_ID]) & (bound >= MATCH_BITS)
        return np.where(both, conflict_ok, bound >= REVIEW_BITS)

    def _near_id(
        self,
        left: np.ndarray,
        right: np.ndarray,
        valid_a: np.ndarray,
        valid_b: np.ndarray,
        odd_a: np.ndarray,
        odd_b: np.ndarray,
    ) -> np.ndarray:
        """Exactly one side holds a valid ID and the other sent a number at most one character off."""
        chars = np.frombuffer(self._id_chars, dtype=np.uint8).reshape(-1, _ID_LENGTH)
        ca, cb = chars[left], chars[right]
        sent_a, sent_b = ca[:, 0] != 0, cb[:, 0] != 0
        close = (ca != cb).sum(axis=1) <= ID_NEAR_MAX_DIFFERENCES
        one_valid = valid_a != valid_b
        other_sent = np.where(valid_a, sent_b, sent_a)
        other_odd = np.where(valid_a, odd_b == 1, odd_a == 1)
        near: np.ndarray = one_valid & ((other_sent & close) | other_odd)
        return near


def _equality(left: np.ndarray, right: np.ndarray, agree: float, disagree: float) -> np.ndarray:
    stated = (left != 0) & (right != 0)
    return np.where(stated, np.where(left == right, agree, disagree), 0.0)


def _name_term(a: np.ndarray, b: np.ndarray, count_a: np.ndarray, count_b: np.ndarray) -> np.ndarray:
    """`names.compare_names`' weight: equal hashes count as equal (a collision only raises it)."""
    differing = (a[:, _SYLLABLE:] != b[:, _SYLLABLE:]).sum(axis=1)
    # A name longer than the kept syllables may differ in one the table does not hold.
    unknown = count_a > KEPT_SYLLABLES
    similar = (count_a >= SIMILAR_MIN_SYLLABLES) & (count_a == count_b) & ((differing <= 1) | unknown)
    return np.select(
        [a[:, _NAME] == b[:, _NAME], a[:, _PINYIN] == b[:, _PINYIN], similar],
        [
            NAME_WEIGHTS[NameAgreement.EXACT],
            NAME_WEIGHTS[NameAgreement.HOMOPHONE],
            NAME_WEIGHTS[NameAgreement.SIMILAR],
        ],
        NAME_WEIGHTS[NameAgreement.DIFFERENT],
    )
