"""Limits on what one query may ask for (DESIGN §8): depth, aliases, tokens, a cost budget
(`hub.api.cost`), and no introspection in production.

The depth and alias rules are built once, here, rather than by Strawberry's `QueryDepthLimiter` and
`MaxAliasesLimiter` per request: each of those builds a new rule class per instance, which makes
every request miss `ValidationCache` (measured: validation was ~14 ms of a 36 ms household view).
The cost budget needs the request's variables, which validation rules do not see, so it is checked by
an extension right after validation, with its own cache of estimates per document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import ASTValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)

from hub.api.cost import COST_BUDGET, CostBudget

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# Distinct documents kept parsed and validated; clients send the same few again and again.
DOCUMENT_CACHE_SIZE = 256

_RULES: tuple[type[ASTValidationRule], ...] = (
    query_depth_limiter.create_validator(MAX_DEPTH, None, None),
    max_aliases.create_validator(MAX_ALIASES),
)
_PRODUCTION_RULES = (*_RULES, NoSchemaIntrospectionCustomRule)


def limit_extensions(*, production: bool) -> list[Callable[[], Any]]:
    """The schema extensions that parse, validate and limit each operation."""
    rules = list(_PRODUCTION_RULES if production else _RULES)
    return [
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: CostBudget(budget=COST_BUDGET, cache_size=DOCUMENT_CACHE_SIZE),
    ]
