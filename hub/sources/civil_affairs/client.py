"""HTTP client for the civil-affairs exports: `X-API-Key`, GBK CSV, offset pages, `X-Total-Count`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import cast

from hub.sources.canonical import Department
from hub.sources.civil_affairs.records import AssistanceRow, BenefitRow, assistance_id, benefit_id
from hub.sources.http import DepartmentHttp, RetryPolicy, Timeouts, unavailable
from hub.sources.paging import unique_by

MAX_PAGE_SIZE = 1000
# The exports are GBK; GB 18030 decodes every GBK byte sequence the same way and also the rare
# name characters (生僻字) that GBK lacks, so reading as GB 18030 loses nothing.
EXPORT_ENCODING = "gb18030"


class CivilAffairsClient:
    """Reads the benefit and assistance exports from `{base_url}` (e.g. `…/civil-affairs`)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float = 30.0,
        *,
        connect_timeout: float = 5.0,
        page_size: int = MAX_PAGE_SIZE,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = DepartmentHttp(
            department=Department.CIVIL_AFFAIRS,
            base_url=base_url,
            timeouts=Timeouts(connect=connect_timeout, read=timeout),
            retry=retry,
        )
        self._headers = {"X-API-Key": api_key}
        self._page_size = min(page_size, MAX_PAGE_SIZE)

    def iter_benefits(self, changed_since: dt.date | None = None) -> Iterator[BenefitRow]:
        """Every benefit row changed since `changed_since` (all when None), each once."""
        rows = self._iter_rows("export/benefits.csv", changed_since)
        return unique_by((cast(BenefitRow, row) for row in rows), benefit_id)

    def iter_assistance(self, changed_since: dt.date | None = None) -> Iterator[AssistanceRow]:
        """Every assistance application changed since `changed_since` (all when None), each once."""
        rows = self._iter_rows("export/assistance.csv", changed_since)
        return unique_by((cast(AssistanceRow, row) for row in rows), assistance_id)

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def _iter_rows(self, path: str, changed_since: dt.date | None) -> Iterator[dict[str, str]]:
        offset = 0
        while True:
            params: dict[str, str | int] = {"offset": offset, "limit": self._page_size}
            if changed_since is not None:
                params["changed_since"] = changed_since.isoformat()
            response = self._http.request("GET", path, params=params, headers=self._headers)
            total_header = response.headers.get("X-Total-Count")
            if total_header is None or not total_header.strip().isdigit():
                raise unavailable(
                    self._http.department, response.url, f"sent no usable X-Total-Count ({total_header!r})"
                )
            total = int(total_header)
            try:
                text = response.content.decode(EXPORT_ENCODING)
            except UnicodeDecodeError as error:
                raise unavailable(
                    self._http.department, response.url, f"sent a CSV that is not GBK: {error}"
                ) from error
            # Cells keep their text; a row with missing cells gets "" rather than None.
            rows = [
                {key: value or "" for key, value in row.items() if key is not None}
                for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
            ]
            yield from rows
            # Advance by what arrived, not by the limit, so that a short page loses nothing.
            offset += len(rows)
            if not rows or offset >= total:
                return
