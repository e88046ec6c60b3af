"""HTTP client for the public-security API: OAuth2 client credentials, cursor pages.

Tokens expire (`expires_in`); the client renews one shortly before expiry and, should the server
disagree about the clock, once more on a `401`. Pages are fetched lazily, one request per page.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, cast

import requests

from hub.sources.canonical import Department
from hub.sources.contract import contract_fields, json_page
from hub.sources.http import DepartmentHttp, RetryPolicy, Timeouts, json_body, read_with_retries, unavailable
from hub.sources.paging import unique_by
from hub.sources.public_security.records import HouseholdPayload, IncidentPayload, household_id, incident_id

MAX_PAGE_SIZE = 500
# Renew up to this many seconds (at most a tenth of the lifetime) before the token's stated expiry,
# so that a page request rarely races it.
_EXPIRY_MARGIN = 5.0
_UNAUTHORIZED = 401
_HOUSEHOLD = contract_fields(HouseholdPayload)
_INCIDENT = contract_fields(IncidentPayload)


class PublicSecurityClient:
    """Reads households and incidents from `{base_url}` (e.g. `http://127.0.0.1:8700/public-security`)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        timeout: float = 30.0,
        *,
        connect_timeout: float = 5.0,
        page_size: int = MAX_PAGE_SIZE,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = DepartmentHttp(
            department=Department.PUBLIC_SECURITY,
            base_url=base_url,
            timeouts=Timeouts(connect=connect_timeout, read=timeout),
            retry=retry,
        )
        self._client_id = client_id
        self._client_secret = client_secret
        self._page_size = min(page_size, MAX_PAGE_SIZE)
        self._token: str | None = None
        self._clock = clock  # monotonic seconds; tests pass the simulator's hand-moved clock
        self._token_expires = 0.0
        self.token_fetches = 0  # how many tokens this client asked for; tests and logs read it

    def iter_households(self, updated_since: dt.datetime | None = None) -> Iterator[HouseholdPayload]:
        """Every household changed since `updated_since` (all when None), each once, page by page."""
        pages = self._iter_items("api/households", updated_since, _HOUSEHOLD)
        return unique_by((cast(HouseholdPayload, item) for item in pages), household_id)

    def iter_incidents(self, updated_since: dt.datetime | None = None) -> Iterator[IncidentPayload]:
        """Every incident changed since `updated_since` (all when None), each once, page by page."""
        pages = self._iter_items("api/incidents", updated_since, _INCIDENT)
        return unique_by((cast(IncidentPayload, item) for item in pages), incident_id)

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def _iter_items(
        self, path: str, updated_since: dt.datetime | None, contract: frozenset[str]
    ) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": self._page_size}
            if updated_since is not None:
                params["updated_since"] = updated_since.isoformat()
            if cursor is not None:
                params["cursor"] = cursor
            body = read_with_retries(
                self._http.department,
                partial(self._send, path, params),
                partial(json_page, contract=contract, items_at=("data",)),
            )
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise unavailable(
                    self._http.department, self._http.url(path), f"sent an unexpected page: {body!r:.200}"
                )
            yield from body["data"]
            cursor = body.get("next_cursor")
            if not cursor:
                return

    def _send(self, path: str, params: dict[str, str | int]) -> requests.Response:
        response = self._http.request(
            "GET", path, params=params, headers=self._auth_header(), pass_statuses=(_UNAUTHORIZED,)
        )
        if response.status_code == _UNAUTHORIZED:
            # The token expired earlier than it said (or was revoked): renew once and repeat.
            self._token = None
            response = self._http.request("GET", path, params=params, headers=self._auth_header())
        return response

    def _auth_header(self) -> dict[str, str]:
        if self._token is None or self._clock() >= self._token_expires:
            self._fetch_token()
        return {"Authorization": f"Bearer {self._token}"}

    def _fetch_token(self) -> None:
        credentials = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        body = read_with_retries(
            self._http.department,
            lambda: self._http.request("POST", "oauth/token", data=credentials),
            json_body,
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise unavailable(
                self._http.department, self._http.url("oauth/token"), "returned no access_token"
            )
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 0.0
        self._token = token
        self._token_expires = self._clock() + lifetime - min(_EXPIRY_MARGIN, lifetime / 10)
        self.token_fetches += 1
