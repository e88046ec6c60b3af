"""A test client that reads every stream of a running simulator to the end, retrying every fault.

It is deliberately stricter than it needs to be about what a fault looks like (a body cut short,
a field renamed in every item), so tests can prove that every fault is survivable and that the
records which finally arrive are exactly those the truth files list.
"""

from __future__ import annotations

import base64
import csv
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import requests

from hub.simulator import SimulatorSettings
from hub.simulator.catalog import STREAMS
from hub.simulator.faults import RENAMED_FIELDS

_MAX_ATTEMPTS = 10


class Retry(Exception):
    """This response was a fault; ask again."""


@dataclass
class Harvest:
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    retries: int = 0
    requests: int = 0


@dataclass
class Harvester:
    base_url: str
    settings: SimulatorSettings
    http: requests.Session
    page_size: int = 50
    timeout: float = 5.0
    _token: str | None = None
    harvest: Harvest = field(default_factory=Harvest)

    def run(self) -> Harvest:
        for stream in STREAMS:
            walk = {
                "registry": self._offset_pages,
                "public_security": self._cursor_pages,
                "civil_affairs": self._csv_pages,
                "justice": self._page_numbers,
                "petitions": self._feed,
            }[stream.department]
            self.harvest.items[stream.name] = list(walk(stream.path, RENAMED_FIELDS[stream.name][0]))
        return self.harvest

    def _get(self, path: str, params: dict[str, Any], parse: Callable[[requests.Response], Any]) -> Any:
        for _ in range(_MAX_ATTEMPTS):
            self.harvest.requests += 1
            try:
                response = self.http.get(
                    self.base_url + path, params=params, headers=self._headers(path), timeout=self.timeout
                )
                if response.status_code == 401 and path.startswith("/public-security"):
                    self._token = None
                    raise Retry
                if response.status_code == 429:
                    time.sleep(min(float(response.headers.get("Retry-After", "0")), 0.05))
                    raise Retry
                if response.status_code >= 500:
                    raise Retry
                assert response.status_code == 200, (path, response.status_code, response.text[:200])
                return parse(response)
            except (Retry, requests.Timeout, orjson.JSONDecodeError, UnicodeDecodeError):
                self.harvest.retries += 1
        raise AssertionError(f"{path} {params} failed {_MAX_ATTEMPTS} times")

    def _headers(self, path: str) -> dict[str, str]:
        settings = self.settings
        if path.startswith("/public-security"):
            if self._token is None:
                form = {
                    "grant_type": "client_credentials",
                    "client_id": settings.public_security_client_id,
                    "client_secret": settings.public_security_client_secret,
                }
                response = self.http.post(
                    self.base_url + "/public-security/oauth/token", data=form, timeout=5
                )
                if response.status_code != 200:
                    raise Retry
                self._token = response.json()["access_token"]
            return {"Authorization": f"Bearer {self._token}"}
        if path.startswith("/civil-affairs"):
            return {"X-API-Key": settings.civil_affairs_api_key}
        if path.startswith("/justice"):
            raw = f"{settings.justice_username}:{settings.justice_password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
        if path.startswith("/petitions"):
            return {"Authorization": f"Token {settings.petitions_token}"}
        return {}

    @staticmethod
    def _check_items(items: list[dict[str, Any]], expected: str) -> list[dict[str, Any]]:
        # A renamed-field fault renames the field in every item; a drifted record renames it in one.
        if items and all(expected not in item for item in items):
            raise Retry
        return items

    def _json(self, response: requests.Response, items: Callable[[Any], list[Any]], expected: str) -> Any:
        body = orjson.loads(response.content)
        self._check_items(items(body), expected)
        return body

    def _offset_pages(self, path: str, expected: str) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            body = self._get(
                path,
                {"offset": offset, "limit": self.page_size},
                lambda r: self._json(r, lambda b: b["items"], expected),
            )
            yield from body["items"]
            offset += self.page_size
            if offset >= body["total"]:
                return

    def _cursor_pages(self, path: str, expected: str) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"limit": self.page_size}
        while True:
            body = self._get(path, params, lambda r: self._json(r, lambda b: b["data"], expected))
            yield from body["data"]
            if not body["next_cursor"]:
                return
            params = {"limit": self.page_size, "cursor": body["next_cursor"]}

    def _csv_pages(self, path: str, expected: str) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:

            def parse(response: requests.Response) -> tuple[list[dict[str, str]], int]:
                if response.content and not response.content.endswith(b"\r\n"):
                    raise Retry  # cut short: every export ends its last row
                rows = list(csv.reader(io.StringIO(response.content.decode("gbk"), newline="")))
                header, cells = rows[0], rows[1:]
                if expected not in header:
                    raise Retry
                return [dict(zip(header, row, strict=False)) for row in cells], int(
                    response.headers["X-Total-Count"]
                )

            rows, total = self._get(path, {"offset": offset, "limit": self.page_size}, parse)
            yield from rows
            offset += self.page_size
            if offset >= total:
                return

    def _page_numbers(self, path: str, expected: str) -> Iterator[dict[str, Any]]:
        page_no = 1
        while True:
            body = self._get(
                path,
                {"pageNo": page_no, "pageSize": self.page_size},
                lambda r: self._json(r, lambda b: b["data"]["records"], expected),
            )
            yield from body["data"]["records"]
            if page_no * self.page_size >= body["data"]["total"]:
                return
            page_no += 1

    def _feed(self, path: str, expected: str) -> Iterator[dict[str, Any]]:
        since: str | None = None
        while True:

            def parse(response: requests.Response) -> tuple[list[dict[str, Any]], str]:
                if response.content and not response.content.endswith(b"\n"):
                    raise Retry
                lines = [orjson.loads(line) for line in response.content.splitlines() if line]
                return self._check_items(lines, expected), response.headers["X-Next-Since"]

            params: dict[str, Any] = {"limit": self.page_size}
            if since:
                params["since"] = since
            lines, since = self._get(path, params, parse)
            if not lines:
                return
            yield from lines
