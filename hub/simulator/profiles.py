"""Noise and fault profiles: how much the departments get wrong, and how often their servers fail.

Noise alters *records* (what a department wrote down); faults alter *responses* (what its server
did with one request). Both are named profiles so that a test, a demo and a benchmark all mean
the same thing by "realistic". Rates are probabilities per eligible record (noise) or per request
attempt (faults); `clean` and `none` inject nothing and serve exactly the contracts' shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Noise kinds, in the order they are applied to a record (an ID is altered by at most one of them).
NAME_TYPO = "name_typo"  # a homophone for one character (王伟 → 王玮) or a stray space
TRADITIONAL = "traditional"  # the name keyed in traditional characters (张伟 → 張偉)
FULLWIDTH_DIGITS = "fullwidth_digits"  # the ID number typed in full-width digits (３３０１…)
LEGACY_ID = "legacy_id"  # the 15-digit pre-1999 form of the ID number
MISSING_ID = "missing_id"  # no ID number at all
SECOND_ID = "second_id"  # the person under a second, valid-looking ID number (重复户口)
ADDRESS_VARIANT = "address_variant"  # the same address written differently
UNKNOWN_CODE = "unknown_code"  # a code outside the department's own code table
SCHEMA_DRIFT = "schema_drift"  # a field renamed or an unannounced field added (JSON departments)
MALFORMED = "malformed"  # a value that does not parse (impossible date, wrong type, cut-off CSV row)
DUPLICATE = "duplicate"  # the record served twice

NOISE_KINDS: tuple[str, ...] = (
    NAME_TYPO,
    TRADITIONAL,
    FULLWIDTH_DIGITS,
    LEGACY_ID,
    MISSING_ID,
    SECOND_ID,
    ADDRESS_VARIANT,
    UNKNOWN_CODE,
    SCHEMA_DRIFT,
    MALFORMED,
    DUPLICATE,
)

# Fault kinds, request-level.
SERVER_ERROR = "server_error"  # 500/502/503/504
RATE_LIMITED = "rate_limited"  # 429 with Retry-After
SLOW = "slow"  # the response waits `fault_slow_seconds` (beyond a client's read timeout)
TRUNCATED = "truncated"  # the body is cut off mid-record (Content-Length matches the cut body)
REPEATED_ITEMS = "repeated_items"  # the page repeats the previous page's last item
EXPIRED_TOKEN = "expired_token"  # public security revokes the bearer token early (401)
RENAMED_FIELD = "renamed_field"  # this response renames one field in every item (a bad deploy)

FAULT_KINDS: tuple[str, ...] = (
    SERVER_ERROR,
    RATE_LIMITED,
    SLOW,
    TRUNCATED,
    REPEATED_ITEMS,
    EXPIRED_TOKEN,
    RENAMED_FIELD,
)


def _frozen(rates: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(rates))


@dataclass(frozen=True)
class NoiseProfile:
    """Probability of each noise kind per record that can carry it (see `NOISE_KINDS`)."""

    name: str
    rates: Mapping[str, float] = field(default_factory=dict)

    @property
    def is_clean(self) -> bool:
        return not any(self.rates.values())


@dataclass(frozen=True)
class FaultProfile:
    """Probability of each fault kind per request attempt, and the bound that keeps it passable.

    A request (method, path and query) that has failed `max_consecutive` times in a row is served
    correctly on the next attempt, so a client that retries that often always gets through.
    """

    name: str
    rates: Mapping[str, float] = field(default_factory=dict)
    max_consecutive: int = 0

    @property
    def is_none(self) -> bool:
        return not any(self.rates.values())


NOISE_PROFILES: Mapping[str, NoiseProfile] = MappingProxyType(
    {
        "clean": NoiseProfile("clean", _frozen({})),
        # Roughly what a data-quality audit of county systems finds: a few percent of names and
        # IDs off, addresses written freely, the odd duplicate and broken row.
        "realistic": NoiseProfile(
            "realistic",
            _frozen(
                {
                    NAME_TYPO: 0.02,
                    TRADITIONAL: 0.01,
                    FULLWIDTH_DIGITS: 0.01,
                    LEGACY_ID: 0.02,
                    MISSING_ID: 0.01,
                    SECOND_ID: 0.005,
                    ADDRESS_VARIANT: 0.05,
                    UNKNOWN_CODE: 0.005,
                    SCHEMA_DRIFT: 0.005,
                    MALFORMED: 0.003,
                    DUPLICATE: 0.01,
                }
            ),
        ),
        "hostile": NoiseProfile(
            "hostile",
            _frozen(
                {
                    NAME_TYPO: 0.08,
                    TRADITIONAL: 0.05,
                    FULLWIDTH_DIGITS: 0.05,
                    LEGACY_ID: 0.08,
                    MISSING_ID: 0.05,
                    SECOND_ID: 0.03,
                    ADDRESS_VARIANT: 0.2,
                    UNKNOWN_CODE: 0.03,
                    SCHEMA_DRIFT: 0.03,
                    MALFORMED: 0.02,
                    DUPLICATE: 0.05,
                }
            ),
        ),
    }
)

FAULT_PROFILES: Mapping[str, FaultProfile] = MappingProxyType(
    {
        "none": FaultProfile("none", _frozen({}), 0),
        "flaky": FaultProfile(
            "flaky",
            _frozen(
                {
                    SERVER_ERROR: 0.05,
                    RATE_LIMITED: 0.03,
                    SLOW: 0.02,
                    TRUNCATED: 0.02,
                    REPEATED_ITEMS: 0.03,
                    EXPIRED_TOKEN: 0.03,
                    RENAMED_FIELD: 0.01,
                }
            ),
            max_consecutive=2,
        ),
        "hostile": FaultProfile(
            "hostile",
            _frozen(
                {
                    SERVER_ERROR: 0.12,
                    RATE_LIMITED: 0.08,
                    SLOW: 0.04,
                    TRUNCATED: 0.05,
                    REPEATED_ITEMS: 0.06,
                    EXPIRED_TOKEN: 0.06,
                    RENAMED_FIELD: 0.03,
                }
            ),
            max_consecutive=3,
        ),
    }
)


def noise_profile(name: str) -> NoiseProfile:
    """The named noise profile (`clean`, `realistic`, `hostile`)."""
    try:
        return NOISE_PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown noise profile {name!r}; choose one of {', '.join(NOISE_PROFILES)}"
        ) from None


def fault_profile(name: str) -> FaultProfile:
    """The named fault profile (`none`, `flaky`, `hostile`)."""
    try:
        return FAULT_PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown fault profile {name!r}; choose one of {', '.join(FAULT_PROFILES)}"
        ) from None
