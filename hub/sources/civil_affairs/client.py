"""HTTP client for the civil-affairs exports: `X-API-Key`, GBK CSV, offset pages, `X-Total-Count`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from functools import partial
from typing import cast

import requests

from hub.sources.canonical import Department
from hub.sources.civil_affairs.records import (
    AssistanceRow,
    BenefitRow,
    HouseholdRatingRow,
    MoralPointRow,
    assistance_id,
    benefit_id,
    moral_point_id,
    rating_id,
)
from hub.sources.contract import check_page, contract_fields
from hub.sources.http import DepartmentHttp, MalformedResponse, RetryPolicy, Timeouts, read_with_retries
from hub.sources.paging import unique_by

MAX_PAGE_SIZE = 1000
# The exports are GBK; GB 18030 decodes every GBK byte sequence the same way and also the rare
# name characters (生僻字) that GBK lacks, so reading as GB 18030 loses nothing.
EXPORT_ENCODING = "gb18030"


# Where a row with more cells than the header keeps the surplus (csv.DictReader's restkey).
EXTRA_CELLS = "_extra_cells"


class CivilAffairsClient:
    """Reads the benefit, assistance, rating and moral-point exports from `{base_url}` (`…/civil-affairs`)."""

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
        rows = self._iter_rows("export/benefits.csv", changed_since, BenefitRow)
        return unique_by((cast(BenefitRow, row) for row in rows), benefit_id)

    def iter_assistance(self, changed_since: dt.date | None = None) -> Iterator[AssistanceRow]:
        """Every assistance application changed since `changed_since` (all when None), each once."""
        rows = self._iter_rows("export/assistance.csv", changed_since, AssistanceRow)
        return unique_by((cast(AssistanceRow, row) for row in rows), assistance_id)

    def iter_household_ratings(self, changed_since: dt.date | None = None) -> Iterator[HouseholdRatingRow]:
        """Every 十星级文明户 row changed since `changed_since` (all when None), each once."""
        rows = self._iter_rows("export/household-ratings.csv", changed_since, HouseholdRatingRow)
        return unique_by((cast(HouseholdRatingRow, row) for row in rows), rating_id)

    def iter_moral_points(self, changed_since: dt.date | None = None) -> Iterator[MoralPointRow]:
        """Every 道德银行 entry changed since `changed_since` (all when None), each once."""
        rows = self._iter_rows("export/moral-points.csv", changed_since, MoralPointRow)
        return unique_by((cast(MoralPointRow, row) for row in rows), moral_point_id)

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def _iter_rows(
        self, path: str, changed_since: dt.date | None, row_type: type
    ) -> Iterator[dict[str, str]]:
        contract = contract_fields(row_type)
        offset = 0
        while True:
            params: dict[str, str | int] = {"offset": offset, "limit": self._page_size}
            if changed_since is not None:
                params["changed_since"] = changed_since.isoformat()
            send = partial(self._http.request, "GET", path, params=params, headers=self._headers)
            parse = partial(_export_page, contract=contract)
            rows, total = read_with_retries(self._http.department, send, parse)
            yield from rows
            # Advance by what arrived, not by the limit, so that a short page loses nothing.
            offset += len(rows)
            if not rows or offset >= total:
                return


def _export_page(
    response: requests.Response, *, contract: frozenset[str]
) -> tuple[list[dict[str, str]], int]:
    """The rows of one export page and the export's total; `MalformedResponse` for a page cut short
    or one whose header renamed a column of the contract."""
    total_header = response.headers.get("X-Total-Count")
    if total_header is None or not total_header.strip().isdigit():
        raise MalformedResponse(f"sent no usable X-Total-Count ({total_header!r})")
    try:
        text = response.content.decode(EXPORT_ENCODING)
    except UnicodeDecodeError as error:
        raise MalformedResponse(f"sent a CSV that is not GBK: {error}") from error
    # The export ends every row with a line break: a body that does not was cut in transit, and
    # its last row would be read as a short, wrong record while the whole one is never fetched.
    if text and not text.endswith("\n"):
        raise MalformedResponse("sent a CSV cut short inside a row")
    # A row is kept exactly as sent: a row written short lacks its missing cells (the mapping
    # quarantines what it then cannot read), and cells beyond the header stay, joined.
    rows = [
        {key: value for key, value in row.items() if value is not None}
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")), restkey=EXTRA_CELLS)
    ]
    for row in rows:
        if EXTRA_CELLS in row:
            row[EXTRA_CELLS] = ",".join(row[EXTRA_CELLS])
    page = rows, int(total_header)
    check_page(rows, contract=contract, parsed=page)
    return page
