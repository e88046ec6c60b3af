"""The HTTP policy every department client shares: one session, retries with back-off, timeouts.

Retries are urllib3's (`Retry`): transient statuses (429, 5xx) and connection/read failures are
retried with exponential back-off plus jitter, honouring `Retry-After`. What still fails after the
last retry becomes `SourceUnavailable` naming the department and URL, so that a pipeline run fails
with a message an operator can act on instead of a stack of urllib3 internals.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import requests
import structlog
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from hub.errors import SourceUnavailable
from hub.sources.canonical import Department

T = TypeVar("T")
log = structlog.get_logger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# POST is retried too: the only POST the clients make is the idempotent OAuth token request.
RETRY_METHODS = frozenset({"GET", "HEAD", "POST"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard a client tries before it gives up on a department."""

    total: int = 5
    backoff_factor: float = 0.5
    backoff_jitter: float = 0.25
    backoff_max: float = 30.0


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a connection and for each read; requests never waits without a limit."""

    connect: float = 5.0
    read: float = 30.0

    def as_tuple(self) -> tuple[float, float]:
        """The `(connect, read)` pair `requests` takes."""
        return (self.connect, self.read)


def build_session(
    *, retry: RetryPolicy | None = None, user_agent: str = "governance-hub"
) -> requests.Session:
    """A `requests.Session` whose adapters retry transient failures under `retry`."""
    policy = retry or RetryPolicy()
    retries = Retry(
        total=policy.total,
        connect=policy.total,
        read=policy.total,
        status=policy.total,
        backoff_factor=policy.backoff_factor,
        backoff_jitter=policy.backoff_jitter,
        backoff_max=policy.backoff_max,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        respect_retry_after_header=True,
        # Hand back the last response instead of raising, so that the error names its status.
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retries)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


class DepartmentHttp:
    """One department's base URL, session and timeouts; every client speaks HTTP through one."""

    def __init__(
        self,
        *,
        department: Department,
        base_url: str,
        timeouts: Timeouts,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.department = department
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts
        self.session = build_session(retry=retry)

    def url(self, path: str) -> str:
        """The absolute URL of `path` under this department's base URL."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        pass_statuses: Collection[int] = (),
    ) -> requests.Response:
        """Send one request with retries; return a 2xx response or one whose status is in `pass_statuses`.

        Raises `SourceUnavailable` for connection failures, timeouts and any other status once the
        retries are spent.
        """
        url = self.url(path)
        kwargs: dict[str, Any] = {"params": params, "headers": headers, "data": data, "auth": auth}
        try:
            response = self.session.request(method, url, timeout=self.timeouts.as_tuple(), **kwargs)
        except requests.RequestException as error:
            raise SourceUnavailable(
                f"{self.department.value}: {method} {url} failed after retries: {error}"
            ) from error
        if response.ok or response.status_code in pass_statuses:
            return response
        raise SourceUnavailable(
            f"{self.department.value}: {method} {url} answered {response.status_code} "
            f"after retries: {response.text[:200]!r}"
        )

    def close(self) -> None:
        """Release the session's pooled connections."""
        self.session.close()


class MalformedResponse(Exception):
    """A 2xx answer whose body cannot be read (cut short, not JSON, not GBK): worth asking again.

    `readable` is set when the body could be read but looks wrong (`hub.sources.contract`): what
    to take if asking again does not help.
    """

    def __init__(self, problem: str, readable: Any = None) -> None:
        super().__init__(problem)
        self.readable = readable


# A body cut short in transit is usually whole on the next try; a few tries, briefly spaced.
MALFORMED_ATTEMPTS = 4
MALFORMED_BACKOFF_SECONDS = 0.2


def read_with_retries(
    department: Department, send: Callable[[], requests.Response], parse: Callable[[requests.Response], T]
) -> T:
    """`parse(send())`, sending again while the body is malformed; then `SourceUnavailable`.

    `send` is the whole request (with its own retries of transient statuses); `parse` raises
    `MalformedResponse` for a body it cannot read, so that no page is skipped or half-read. A
    `MalformedResponse` with `readable` set is a page that is suspect rather than unreadable
    (`hub.sources.contract.check_page`): after the last try, what it read is returned.
    """
    for attempt in range(MALFORMED_ATTEMPTS):
        response = send()
        try:
            return parse(response)
        except MalformedResponse as problem:
            log.warning(
                "source.malformed_response",
                department=department.value,
                url=response.url,
                problem=str(problem),
                attempt=attempt + 1,
            )
            last = f"{response.url} {problem}"
            if problem.readable is not None and attempt == MALFORMED_ATTEMPTS - 1:
                # The department keeps answering this way: its records are taken, and quarantined
                # one by one with the drift named, rather than the whole source stopping.
                return cast(T, problem.readable)
            time.sleep(MALFORMED_BACKOFF_SECONDS * 2**attempt)
    raise SourceUnavailable(f"{department.value}: {last} ({MALFORMED_ATTEMPTS} times)")


def unavailable(department: Department, url: str, problem: str) -> SourceUnavailable:
    """A `SourceUnavailable` naming the department and URL, for answers that cannot be read."""
    return SourceUnavailable(f"{department.value}: {url} {problem}")


def json_body(response: requests.Response) -> Any:
    """The response's JSON; `MalformedResponse` when the body is not JSON (cut short, an HTML page)."""
    try:
        return response.json()
    except ValueError as error:
        raise MalformedResponse(f"sent a body that is not JSON: {error}") from error
