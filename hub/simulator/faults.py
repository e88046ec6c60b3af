"""Faults: what the departments' servers do to one request, decided by rule, bounded, and logged.

The rule (`decide_fault`): the fault for an attempt at a request is a pure function of the seed,
the profile, the request's method, path and canonical query string (auth headers and bodies are
ignored), and the *attempt number* — how many times in a row this same request has just been
faulted. A hash of those picks at most one kind, with the profile's rates among the kinds that
apply to the path; an attempt numbered `max_consecutive` or more is never faulted. So a request
fails at most `max_consecutive` times in a row, a client that retries gets through, and replaying
the same requests against a fresh server meets the same faults.

`FaultInjector` is the ASGI middleware that applies the rule. Generic faults (5xx, 429, slow,
truncated, renamed field) happen here; the two that need a department's own knowledge (items
repeated across pages, a revoked token) are passed to the endpoint in `request.state` (see
`departments.listing.fault_of`). Every injected fault is appended to `FaultInjector.log` and, when
configured, to a JSON Lines file (`SimulatorSettings.fault_log_path`).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.simulator.catalog import STREAMS_BY_NAME, STREAMS_BY_PATH
from hub.simulator.departments.listing import FAULT_STATE_KEY
from hub.simulator.profiles import (
    EXPIRED_TOKEN,
    FAULT_KINDS,
    RATE_LIMITED,
    RENAMED_FIELD,
    REPEATED_ITEMS,
    SERVER_ERROR,
    SLOW,
    TRUNCATED,
    FaultProfile,
)

TOKEN_PATH = "/public-security/oauth/token"

# The field each stream's faulty deploy renames in every item (a CSV renames its header column).
RENAMED_FIELDS: Mapping[str, tuple[str, str]] = {
    "divisions": ("parent_code", "parentCode"),
    "grids": ("division_code", "divisionCode"),
    "grid_workers": ("grid_code", "gridCode"),
    "addresses": ("grid_code", "gridCode"),
    "households": ("updated_at", "updatedAt"),
    "incidents": ("incident_no", "incidentNo"),
    "benefits": ("身份证号", "证件号码"),
    "assistance": ("申请编号", "申请单号"),
    "household_ratings": ("星级", "评定星级"),
    "moral_points": ("流水号", "积分流水号"),
    "mediations": ("caseNo", "case_no"),
    "corrections": ("idCard", "idcard"),
    "petitions": ("petition_no", "petitionNo"),
}
_SERVER_ERRORS = (500, 502, 503, 504)
# Parameters whose presence means "not the first page", so a repeated item has a page before it.
_LATER_PAGE = {"cursor": "", "since": "", "offset": "0", "pageNo": "1"}


def canonical_query(query_string: str) -> str:
    """The query string with parameters sorted, so that parameter order does not change a decision."""
    return urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))


def applicable_faults(method: str, path: str, query: str) -> tuple[str, ...]:
    """The fault kinds that can strike this request at all."""
    if method == "POST" and path == TOKEN_PATH:
        return (SERVER_ERROR, RATE_LIMITED, SLOW)
    if method != "GET" or path not in STREAMS_BY_PATH:
        return ()
    kinds = [SERVER_ERROR, RATE_LIMITED, SLOW, TRUNCATED, RENAMED_FIELD]
    params = dict(parse_qsl(query))
    if any(params.get(name, first) != first for name, first in _LATER_PAGE.items()):
        kinds.append(REPEATED_ITEMS)
    if path.startswith("/public-security/api/"):
        kinds.append(EXPIRED_TOKEN)
    return tuple(kind for kind in FAULT_KINDS if kind in kinds)


def decide_fault(
    *, seed: int, profile: FaultProfile, method: str, path: str, query: str, attempt: int
) -> str | None:
    """The fault for this attempt (0 = first, or first after a success), or None. See the module doc."""
    if profile.is_none or attempt >= profile.max_consecutive:
        return None
    text = f"{seed}|{profile.name}|{method}|{path}|{canonical_query(query)}|{attempt}"
    draw = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64
    for kind in applicable_faults(method, path, query):
        draw -= profile.rates.get(kind, 0.0)
        if draw < 0:
            return kind
    return None


class FaultInjector:
    """ASGI middleware applying `decide_fault` to every request (see the module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        seed: int,
        profile: FaultProfile,
        slow_seconds: float,
        retry_after_seconds: int,
        log: list[dict[str, Any]],
        log_path: str | None = None,
    ) -> None:
        self.app = app
        self.seed = seed
        self.profile = profile
        self.slow_seconds = slow_seconds
        self.retry_after_seconds = retry_after_seconds
        self.log = log
        self._log_path = Path(log_path) if log_path else None
        self._failures: dict[str, int] = {}  # request signature → faults in a row just before
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.profile.is_none:
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        query = canonical_query(scope.get("query_string", b"").decode("latin-1"))
        kind = self._decide(method, path, query)
        scope.setdefault("state", {})[FAULT_STATE_KEY] = kind
        if kind == SERVER_ERROR:
            digest = hashlib.sha256(f"{method} {path}?{query}".encode()).digest()
            status = _SERVER_ERRORS[digest[0] % len(_SERVER_ERRORS)]
            await _send_plain(send, status, b"upstream system error", {})
        elif kind == RATE_LIMITED:
            headers = {"retry-after": str(self.retry_after_seconds)}
            await _send_plain(send, 429, b"too many requests", headers)
        elif kind == SLOW:
            await asyncio.sleep(self.slow_seconds)
            await self.app(scope, receive, send)
        elif kind in (TRUNCATED, RENAMED_FIELD):
            await self._rewritten(scope, receive, send, kind)
        else:
            await self.app(scope, receive, send)

    def _decide(self, method: str, path: str, query: str) -> str | None:
        signature = f"{method} {path}?{query}"
        with self._lock:
            attempt = self._failures.get(signature, 0)
            kind = decide_fault(
                seed=self.seed, profile=self.profile, method=method, path=path, query=query, attempt=attempt
            )
            if kind is None:
                self._failures.pop(signature, None)
                return None
            self._failures[signature] = attempt + 1
            entry = {
                "seq": len(self.log),
                "method": method,
                "path": path,
                "query": query,
                "attempt": attempt,
                "kind": kind,
            }
            self.log.append(entry)
            if self._log_path is not None:
                with self._log_path.open("ab") as log_file:
                    log_file.write(orjson.dumps(entry) + b"\n")
        return kind

    async def _rewritten(self, scope: Scope, receive: Receive, send: Send, kind: str) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        assert start is not None
        body = b"".join(chunks)
        if start["status"] == 200:
            stream = STREAMS_BY_PATH[scope["path"]]
            body = _truncated(body) if kind == TRUNCATED else _renamed(body, stream.name)
        headers = [(name, value) for name, value in start["headers"] if name.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _truncated(body: bytes) -> bytes:
    """The body cut inside a record: mid-JSON, or inside a CSV/JSON Lines row after its first field."""
    if not body:
        return body
    lines = body.split(b"\n")
    if len(lines) > 2:
        middle = len(lines) // 2
        cut_line = lines[middle]
        # Keep whole lines before, then only the start of the middle line (never a clean row end).
        keep = max(1, min(len(cut_line) - 1, cut_line.find(b",") + 1 or len(cut_line) // 2))
        return b"\n".join(lines[:middle]) + b"\n" + cut_line[:keep]
    return body[: len(body) // 2]


def _renamed(body: bytes, stream: str) -> bytes:
    old, new = RENAMED_FIELDS[stream]
    shape = STREAMS_BY_NAME[stream].shape
    if shape is not None and shape.csv_columns:
        header, newline, rest = body.partition(b"\r\n")
        return header.replace(old.encode(shape.encoding), new.encode(shape.encoding), 1) + newline + rest
    return body.replace(f'"{old}":'.encode(), f'"{new}":'.encode())


async def _send_plain(send: Send, status: int, body: bytes, headers: Mapping[str, str]) -> None:
    raw = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    raw += [(name.encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
