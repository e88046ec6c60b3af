"""Render a page in headless Chromium and report every URL it requested.

Chromium writes a NetLog (``--log-net-log``): a JSON file with one event per step of every network
request the browser made. Each ``URL_REQUEST`` source starts with a ``REQUEST_ALIVE`` event that
carries the URL; its ``URL_REQUEST_START_JOB`` event carries the method, the initiator (the origin
of the page that asked, or ``"not an origin"``) and the request type (``"main frame"`` for the
navigation itself); ``HTTP_TRANSACTION_READ_RESPONSE_HEADERS`` carries the status line, and the
closing ``REQUEST_ALIVE`` a ``net_error`` when the request failed. This sees every request the
network stack made, whatever started it (HTML, CSS, script, ``fetch``), without a proxy or a
DevTools client. Requests that Chromium makes for itself (time sync, sign-in, component updates:
no initiator, not a frame) are reported apart, in ``browser_requests``. The page's console messages,
among them Chromium's refusals of a script whose ``integrity`` hash does not match, come from
its log on stderr (``--enable-logging=stderr``).

With ``offline=True`` (the default) the host resolver knows only loopback, as on an air-gapped
government network: a CDN reference cannot load, and still shows up in the NetLog as a failed
request.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium")

_BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
)
_OFFLINE_RULES = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"


class BrowserUnavailable(RuntimeError):
    """Chromium is not installed (``apt-get install chromium``)."""


@dataclass(frozen=True)
class RequestRecord:
    """One network request as the NetLog saw it."""

    url: str
    method: str
    initiator: str
    request_type: str
    status: int | None  # HTTP status, None when no response headers arrived
    net_error: int | None  # Chromium net error (-105 NAME_NOT_RESOLVED, …), None on success
    redirects: tuple[str, ...] = ()

    @property
    def from_page(self) -> bool:
        """Asked for by the page (or the navigation to it), not by Chromium for itself."""
        return self.initiator != "not an origin" or self.request_type in ("main frame", "sub frame")

    @property
    def failed(self) -> bool:
        return self.net_error is not None or self.status is None or self.status >= 400


@dataclass(frozen=True)
class PageRender:
    """What rendering one URL produced."""

    url: str
    requests: tuple[RequestRecord, ...]  # made for the page, in start order
    browser_requests: tuple[RequestRecord, ...]  # made by Chromium for itself
    screenshot: Path | None
    dom: str | None
    console: tuple[str, ...] = field(default=())  # console messages, incl. SRI and CSP refusals
    returncode: int = 0

    @property
    def requested_urls(self) -> list[str]:
        return [request.url for request in self.requests]

    @property
    def failed_requests(self) -> list[RequestRecord]:
        return [request for request in self.requests if request.failed]


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


def render_page(
    url: str,
    *,
    screenshot: Path | None = None,
    dump_dom: bool = False,
    window_size: tuple[int, int] = (1400, 900),
    virtual_time_budget_ms: int = 10_000,
    offline: bool = True,
    timeout_s: float = 60.0,
) -> PageRender:
    """Load ``url`` in a fresh headless Chromium profile; screenshot it or dump its DOM.

    Chromium takes one action per run: give ``screenshot`` or ``dump_dom=True``, not both (call
    twice). The virtual time budget lets scripts run and the page settle before the action.
    Raises ``subprocess.TimeoutExpired`` after ``timeout_s`` (the whole process group is killed).
    """
    if screenshot is not None and dump_dom:
        raise ValueError("Chromium screenshots or dumps the DOM in one run, not both")
    if not chromium_available():
        raise BrowserUnavailable(f"{CHROMIUM} not found; install the Debian package 'chromium'")
    with tempfile.TemporaryDirectory(prefix="hub-chromium-") as work:
        net_log = Path(work) / "netlog.json"
        command = [
            CHROMIUM,
            *_BASE_FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--log-net-log={net_log}",
            f"--window-size={window_size[0]},{window_size[1]}",
            f"--virtual-time-budget={virtual_time_budget_ms}",
        ]
        if offline:
            command.append(f"--host-resolver-rules={_OFFLINE_RULES}")
        if screenshot is not None:
            screenshot = screenshot.resolve()  # Chromium runs in the temporary folder
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.unlink(missing_ok=True)  # a stale file must not pass for this run's
            command.append(f"--screenshot={screenshot}")
        if dump_dom:
            command.append("--dump-dom")
        command.append(url)
        stdout, stderr, returncode = _run(command, timeout_s=timeout_s, cwd=work)
        page, browser = _read_net_log(net_log)
    return PageRender(
        url=url,
        requests=page,
        browser_requests=browser,
        screenshot=screenshot if screenshot is not None and screenshot.is_file() else None,
        dom=stdout if dump_dom else None,
        console=_console_messages(stderr),
        returncode=returncode,
    )


def _run(command: list[str], *, timeout_s: float, cwd: str) -> tuple[str, str, int]:
    # A new session makes Chromium's renderer and zygote processes one group we can end together.
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return stdout, stderr, process.returncode


def _console_messages(stderr: str) -> tuple[str, ...]:
    # With --enable-logging=stderr Chromium logs each console message (and SRI / CSP refusals)
    # as `[pid:tid:time:INFO:CONSOLE:line] "message", source: url (line)`.
    return tuple(line.split("] ", 1)[-1] for line in stderr.splitlines() if ":CONSOLE" in line)


def _load_net_log(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        loaded: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError:
        # Chromium closes the JSON on a clean exit only; a killed run leaves "...},\n".
        loaded = json.loads(text.rstrip().rstrip(",") + "]}")
    return loaded


def _read_net_log(path: Path) -> tuple[tuple[RequestRecord, ...], tuple[RequestRecord, ...]]:
    if not path.is_file():
        return (), ()
    log = _load_net_log(path)
    event_names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    source_types = {number: name for name, number in log["constants"]["logSourceType"].items()}
    begin, end = (
        log["constants"]["logEventPhase"]["PHASE_BEGIN"],
        log["constants"]["logEventPhase"]["PHASE_END"],
    )
    requests: dict[int, dict[str, Any]] = {}
    for event in log.get("events", []):
        if source_types.get(event["source"]["type"]) != "URL_REQUEST":
            continue
        name, phase = event_names.get(event["type"]), event.get("phase")
        params: dict[str, Any] = event.get("params") or {}
        request = requests.setdefault(event["source"]["id"], {"redirects": []})
        if name == "REQUEST_ALIVE" and phase == begin:
            request["url"] = params.get("url", "")
        elif name == "URL_REQUEST_START_JOB" and phase == begin:
            request.setdefault("method", params.get("method", ""))
            request.setdefault("initiator", params.get("initiator", ""))
            request.setdefault("request_type", params.get("request_type", ""))
            if "url" in params and params["url"] != request.get("url"):
                request["redirects"].append(params["url"])
        elif name == "HTTP_TRANSACTION_READ_RESPONSE_HEADERS":
            status_line = (params.get("headers") or [""])[0].split()
            if len(status_line) > 1 and status_line[1].isdigit():
                request["status"] = int(status_line[1])
        elif name == "REQUEST_ALIVE" and phase == end and "net_error" in params:
            request["net_error"] = params["net_error"]
    records = [
        RequestRecord(
            url=request["url"],
            method=request.get("method", ""),
            initiator=request.get("initiator", ""),
            request_type=request.get("request_type", ""),
            status=request.get("status"),
            net_error=request.get("net_error"),
            redirects=tuple(request["redirects"]),
        )
        for _, request in sorted(requests.items())
        if "url" in request
    ]
    return (
        tuple(record for record in records if record.from_page),
        tuple(record for record in records if not record.from_page),
    )
