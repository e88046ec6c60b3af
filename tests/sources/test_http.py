"""The shared HTTP policy: failures name the department and URL; repeated items are dropped once."""

from __future__ import annotations

import socket

import pytest
from requests.adapters import HTTPAdapter

from hub.errors import SourceUnavailable
from hub.sources.canonical import Department
from hub.sources.http import DepartmentHttp, RetryPolicy, Timeouts, build_session
from hub.sources.paging import unique_by
from hub.sources.registry.client import RegistryClient


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_department_is_source_unavailable_naming_department_and_url() -> None:
    base = f"http://127.0.0.1:{closed_port()}/registry"
    registry = RegistryClient(
        base, timeout=1, connect_timeout=0.5, retry=RetryPolicy(total=1, backoff_factor=0)
    )
    with pytest.raises(SourceUnavailable) as caught:
        next(registry.iter_divisions())
    assert "registry" in str(caught.value)
    assert f"{base}/divisions" in str(caught.value)


def test_session_retries_transient_statuses_with_jittered_backoff_and_retry_after() -> None:
    session = build_session(retry=RetryPolicy(total=4, backoff_factor=0.2, backoff_jitter=0.1))
    adapter = session.get_adapter("http://example.invalid")
    assert isinstance(adapter, HTTPAdapter)
    retry = adapter.max_retries
    assert retry.total == 4
    assert retry.backoff_jitter == 0.1
    assert retry.respect_retry_after_header
    assert set(retry.status_forcelist or ()) == {429, 500, 502, 503, 504}
    assert "POST" in (retry.allowed_methods or ())


def test_every_request_carries_connect_and_read_timeouts() -> None:
    http = DepartmentHttp(department=Department.JUSTICE, base_url="http://x/", timeouts=Timeouts(2, 7))
    assert http.timeouts.as_tuple() == (2, 7)
    assert http.url("/api/x") == "http://x/api/x"


def test_items_repeated_across_pages_are_yielded_once_and_keyless_items_all_pass() -> None:
    items = [{"id": "a"}, {"id": "b"}, {"id": "a"}, {"id": ""}, {"id": ""}, {"id": "c"}]
    kept = list(unique_by(items, lambda item: item["id"]))
    assert kept == [{"id": "a"}, {"id": "b"}, {"id": ""}, {"id": ""}, {"id": "c"}]
