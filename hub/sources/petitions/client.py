"""HTTP client for the petitions change feed: `Authorization: Token …`, JSON Lines, `since` tokens.

The feed is read in batches; each batch carries the `X-Next-Since` token that resumes after it, so
that a caller stores the token only once the batch's rows are committed (at-least-once, no loss).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import cast

import requests

from hub.sources.canonical import Department
from hub.sources.contract import check_page, contract_fields
from hub.sources.http import DepartmentHttp, MalformedResponse, RetryPolicy, Timeouts, read_with_retries
from hub.sources.petitions.records import MALFORMED_LINE, PetitionPayload, petition_version_id

MAX_BATCH_SIZE = 500
_PETITION = contract_fields(PetitionPayload)


@dataclass(frozen=True, slots=True)
class FeedBatch:
    """One response of the feed: petition versions, oldest change first, and the token after them."""

    items: tuple[PetitionPayload, ...]
    next_since: str | None  # None when the department sent no token (then resume from the old one)


class PetitionsClient:
    """Reads the petition feed from `{base_url}` (e.g. `…/petitions`)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 30.0,
        *,
        connect_timeout: float = 5.0,
        batch_size: int = MAX_BATCH_SIZE,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = DepartmentHttp(
            department=Department.PETITIONS,
            base_url=base_url,
            timeouts=Timeouts(connect=connect_timeout, read=timeout),
            retry=retry,
        )
        self._headers = {"Authorization": f"Token {token}"}
        self._batch_size = min(batch_size, MAX_BATCH_SIZE)

    def iter_feed(self, since: str | None = None) -> Iterator[FeedBatch]:
        """Batches from `since` (the beginning when None) until the feed is caught up.

        A petition version repeated in a later batch of the same iteration is left out; the last
        batch's `next_since` is the cursor to store for the next run.
        """
        seen: set[str] = set()
        cursor = since
        while True:
            params: dict[str, str | int] = {"limit": self._batch_size}
            if cursor is not None:
                params["since"] = cursor
            send = partial(self._http.request, "GET", "feed", params=params, headers=self._headers)
            lines, next_since = read_with_retries(self._http.department, send, _feed_page)
            if not lines:
                return  # an empty body means caught up
            items = []
            for item in lines:
                key = petition_version_id(item)
                if key in seen:
                    continue
                if key:  # lines without a key all pass, for the mapping to reject
                    seen.add(key)
                items.append(item)
            yield FeedBatch(items=tuple(items), next_since=next_since or cursor)
            if next_since is None or next_since == cursor:
                return
            cursor = next_since

    def iter_petitions(self, since: str | None = None) -> Iterator[PetitionPayload]:
        """Every petition version from `since`, each once; for callers that keep no cursor."""
        for batch in self.iter_feed(since):
            yield from batch.items

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()


def _feed_page(response: requests.Response) -> tuple[list[PetitionPayload], str | None]:
    """One feed response: its lines, oldest change first, and the token for the next call.

    Every line ends with a line break, so a body that does not was cut in transit: asking again
    beats reading its last petition as malformed while the cursor moves past the whole one. A line
    that is not a JSON object is kept as `{MALFORMED_LINE: text}` for the mapping to quarantine.
    """
    try:
        text = response.content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedResponse(f"sent a feed that is not UTF-8: {error}") from error
    if text.strip() and not text.endswith("\n"):
        raise MalformedResponse("sent a feed cut short inside a line")
    items: list[PetitionPayload] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        items.append(cast(PetitionPayload, item if isinstance(item, dict) else {MALFORMED_LINE: line}))
    page = items, response.headers.get("X-Next-Since") or None
    check_page(items, contract=_PETITION, parsed=page)
    return page
