"""HTTP client for the justice API: HTTP Basic auth, `pageNo`/`pageSize` pages with totals."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from functools import partial
from typing import Any, cast

from hub.sources.canonical import Department
from hub.sources.contract import contract_fields, json_page
from hub.sources.http import DepartmentHttp, RetryPolicy, Timeouts, read_with_retries, unavailable
from hub.sources.justice.records import (
    CorrectionSubjectPayload,
    MediationCasePayload,
    correction_subject_id,
    mediation_case_id,
)
from hub.sources.paging import unique_by

MAX_PAGE_SIZE = 200
_MEDIATION_CASE = contract_fields(MediationCasePayload)
_CORRECTION_SUBJECT = contract_fields(CorrectionSubjectPayload)


class JusticeClient:
    """Reads mediation cases and correction subjects from `{base_url}` (e.g. `…/justice`)."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        timeout: float = 30.0,
        *,
        connect_timeout: float = 5.0,
        page_size: int = MAX_PAGE_SIZE,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = DepartmentHttp(
            department=Department.JUSTICE,
            base_url=base_url,
            timeouts=Timeouts(connect=connect_timeout, read=timeout),
            retry=retry,
        )
        self._auth = (username, password)
        self._page_size = min(page_size, MAX_PAGE_SIZE)

    def iter_mediation_cases(
        self, updated_since: dt.datetime | None = None
    ) -> Iterator[MediationCasePayload]:
        """Every mediation case updated since `updated_since` (all when None), each once."""
        records = self._iter_records("api/mediationCases", updated_since, _MEDIATION_CASE)
        return unique_by((cast(MediationCasePayload, record) for record in records), mediation_case_id)

    def iter_correction_subjects(
        self, updated_since: dt.datetime | None = None
    ) -> Iterator[CorrectionSubjectPayload]:
        """Every correction or released subject updated since `updated_since` (all when None), each once."""
        records = self._iter_records("api/correctionSubjects", updated_since, _CORRECTION_SUBJECT)
        return unique_by(
            (cast(CorrectionSubjectPayload, record) for record in records), correction_subject_id
        )

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def _iter_records(
        self, path: str, updated_since: dt.datetime | None, contract: frozenset[str]
    ) -> Iterator[dict[str, Any]]:
        page_no = 1
        while True:
            params: dict[str, str | int] = {"pageNo": page_no, "pageSize": self._page_size}
            if updated_since is not None:
                params["updatedSince"] = int(updated_since.timestamp() * 1000)
            body = read_with_retries(
                self._http.department,
                partial(self._http.request, "GET", path, params=params, auth=self._auth),
                partial(json_page, contract=contract, items_at=("data", "records")),
            )
            data = body.get("data") if isinstance(body, dict) else None
            if (
                not isinstance(data, dict)
                or body.get("code") != 0
                or not isinstance(data.get("records"), list)
            ):
                raise unavailable(
                    self._http.department, self._http.url(path), f"answered with an error: {body!r:.200}"
                )
            yield from data["records"]
            total, served_size = data.get("total"), data.get("pageSize")
            # The server may cap pageSize below what was asked; count pages in its size.
            page_size = served_size if isinstance(served_size, int) and served_size > 0 else self._page_size
            if not isinstance(total, int) or not data["records"] or page_no >= math.ceil(total / page_size):
                return
            page_no += 1
