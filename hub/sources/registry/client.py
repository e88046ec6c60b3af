"""HTTP client for the grid registry: no auth (internal master data), offset pages with totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, TypeVar, cast

import requests

from hub.sources.canonical import Department
from hub.sources.contract import contract_fields, json_page
from hub.sources.http import DepartmentHttp, RetryPolicy, Timeouts, read_with_retries, unavailable
from hub.sources.paging import unique_by
from hub.sources.registry.records import (
    AddressPayload,
    DivisionPayload,
    GridPayload,
    GridWorkerPayload,
    address_id,
    division_id,
    grid_id,
    grid_worker_id,
)

MAX_PAGE_SIZE = 1000
T = TypeVar("T")


class RegistryRead(Iterator[T]):
    """One read of a registry table: its items, each once, and `started_at`, the registry's clock
    when the read began (its first page's `Date` header; None until then, or if it sent none).

    The items carry no change time, so a reader's next `updated_since` comes from the registry's own
    clock, never from the reader's, which may differ from it.
    """

    def __init__(self) -> None:
        self.items: Iterator[T] = iter(())
        self.started_at: dt.datetime | None = None

    def __next__(self) -> T:
        return next(self.items)


def _clocked(send: Callable[[], requests.Response], read: RegistryRead[Any]) -> requests.Response:
    """`send()`, noting the response's `Date` as the moment the read began (the last try's counts)."""
    response = send()
    date = response.headers.get("date")
    try:
        started = parsedate_to_datetime(date) if date else None
        # An HTTP date is in GMT ("-0000" parses without a zone).
        read.started_at = started.replace(tzinfo=dt.UTC) if started and started.tzinfo is None else started
    except (TypeError, ValueError):  # no date the reader can trust: it reads whole next time
        read.started_at = None
    return response


class RegistryClient:
    """Reads divisions, grids, grid workers and address rules from `{base_url}` (e.g. `…/registry`)."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 30.0,
        *,
        connect_timeout: float = 5.0,
        page_size: int = MAX_PAGE_SIZE,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = DepartmentHttp(
            department=Department.REGISTRY,
            base_url=base_url,
            timeouts=Timeouts(connect=connect_timeout, read=timeout),
            retry=retry,
        )
        self._page_size = min(page_size, MAX_PAGE_SIZE)

    def iter_divisions(self, updated_since: dt.datetime | None = None) -> RegistryRead[DivisionPayload]:
        """Every division (province down to village) changed at or after `updated_since`, each once."""
        return self._iter("divisions", updated_since, division_id, DivisionPayload)

    def iter_grids(self, updated_since: dt.datetime | None = None) -> RegistryRead[GridPayload]:
        """Every grid and micro-grid changed at or after `updated_since`, each once."""
        return self._iter("grids", updated_since, grid_id, GridPayload)

    def iter_grid_workers(self, updated_since: dt.datetime | None = None) -> RegistryRead[GridWorkerPayload]:
        """Every grid worker changed at or after `updated_since`, each once."""
        return self._iter("grid-workers", updated_since, grid_worker_id, GridWorkerPayload)

    def iter_addresses(self, updated_since: dt.datetime | None = None) -> RegistryRead[AddressPayload]:
        """Every address → grid rule changed at or after `updated_since`, each once."""
        return self._iter("addresses", updated_since, address_id, AddressPayload)

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def _iter(
        self, path: str, updated_since: dt.datetime | None, key: Callable[[T], str], payload_type: type
    ) -> RegistryRead[T]:
        read: RegistryRead[T] = RegistryRead()
        items = self._iter_items(path, updated_since, contract_fields(payload_type), read)
        read.items = unique_by((cast(T, item) for item in items), key)
        return read

    def _iter_items(
        self, path: str, updated_since: dt.datetime | None, contract: frozenset[str], read: RegistryRead[Any]
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            params: dict[str, str | int] = {"offset": offset, "limit": self._page_size}
            if updated_since is not None:
                params["updated_since"] = updated_since.isoformat()
            send = partial(self._http.request, "GET", path, params=params)
            if offset == 0:
                send = partial(_clocked, send, read)
            body = read_with_retries(
                self._http.department, send, partial(json_page, contract=contract, items_at=("items",))
            )
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise unavailable(
                    self._http.department, self._http.url(path), f"sent an unexpected page: {body!r:.200}"
                )
            items: list[dict[str, Any]] = body["items"]
            yield from items
            # Advance by what arrived, not by the limit, so that a short page loses nothing.
            offset += len(items)
            total = body.get("total")
            if not items or not isinstance(total, int) or offset >= total:
                return
