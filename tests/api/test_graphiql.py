"""GraphiQL works on an air-gapped network: the page and everything it loads come from the hub."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from strawberry.asgi import GraphQL

from hub.api.graphiql import OfflineGraphQL, graphiql_static_mount, vendored_asset_paths
from hub.api.graphiql.view import offline_graphiql_template
from hub.simulator.server import serving
from tests.support.browser import chromium_available, render_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
HTML = {"accept": "text/html"}


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, name: str = "网格员") -> str:
        return f"你好, {name}"


def make_app(*, static_path: str = "/graphiql-static") -> Starlette:
    """The app under test. Swap for ``hub.api.app.create_app(...)`` once that exists: the tests
    only need GraphiQL at ``/graphql``."""
    schema = strawberry.Schema(query=Query)
    return Starlette(
        routes=[Route("/graphql", OfflineGraphQL(schema)), graphiql_static_mount(static_path)],
    )


class _Assets(HTMLParser):
    """Every ``src``/``href`` of the page, with its ``integrity`` attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            value = attributes.get(name)
            if value is not None:
                self.references.append((value.strip(), attributes.get("integrity")))


def _references(page: str) -> list[tuple[str, str | None]]:
    parser = _Assets()
    parser.feed(page)
    return parser.references


def _sri(content: bytes, integrity: str) -> str:
    algorithm = integrity.split("-", 1)[0]
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, content).digest()).decode()}"


# --- without a browser -------------------------------------------------------------------------


def test_graphiql_page_references_nothing_outside_the_hub() -> None:
    with TestClient(make_app()) as client:
        page = client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "unpkg" not in page.text
    # The one absolute URL left is the SVG namespace inside the favicon's data: URI (not fetched).
    absolute = set(re.findall(r"https?://[^\s\"'<>%]+", page.text))
    assert absolute <= {"http://www.w3.org/2000/svg"}
    external = [url for url, _ in _references(page.text) if not url.startswith(("/", "data:"))]
    assert external == []


def test_every_asset_the_page_loads_is_served_and_matches_its_integrity_hash() -> None:
    with TestClient(make_app()) as client:
        page = client.get("/graphql", headers=HTML).text
        assets = [(url, integrity) for url, integrity in _references(page) if not url.startswith("data:")]
        assert len(assets) == 7  # react, react-dom, js-cookie, graphiql js+css, explorer js+css
        for url, integrity in assets:
            assert url.startswith("/graphiql-static/")
            response = client.get(url)
            assert response.status_code == 200, url
            expected_type = "text/css" if url.endswith(".css") else "text/javascript"
            assert response.headers["content-type"] == f"{expected_type}; charset=utf-8"
            assert "immutable" in response.headers["cache-control"]
            assert integrity is not None, url
            assert _sri(response.content, integrity) == integrity, url


def test_vendored_files_cover_strawberrys_page() -> None:
    stock_page = GraphQL(strawberry.Schema(query=Query)).graphql_ide_html
    assert len(vendored_asset_paths(stock_page)) == 7
    offline_graphiql_template()  # raises when Strawberry asks for a file that is not vendored


def test_page_follows_the_static_mount_and_the_proxy_root_path() -> None:
    with TestClient(make_app(static_path="/assets/graphiql"), root_path="/hub") as client:
        page = client.get("/graphql", headers=HTML).text
        urls = [url for url, _ in _references(page) if not url.startswith("data:")]
        assert urls and all(url.startswith("/hub/assets/graphiql/") for url in urls)
    with TestClient(make_app(static_path="/assets/graphiql")) as client:
        for url in urls:
            assert client.get(url.removeprefix("/hub")).status_code == 200


def test_licences_are_served_with_the_assets() -> None:
    with TestClient(make_app()) as client:
        for package in ("react@18.2.0", "react-dom@18.2.0", "graphiql@3.8.3", "js-cookie@3.0.5"):
            response = client.get(f"/graphiql-static/{package}/LICENSE")
            assert response.status_code == 200
            assert "MIT License" in response.text
        assert client.get("/graphiql-static/@graphiql/plugin-explorer@1.0.2/LICENSE").status_code == 200


def test_queries_still_work_and_graphiql_can_be_switched_off() -> None:
    schema = strawberry.Schema(query=Query)
    app = Starlette(
        routes=[Route("/graphql", OfflineGraphQL(schema, graphiql=False)), graphiql_static_mount()]
    )
    with TestClient(app) as client:
        assert client.get("/graphql", headers=HTML).status_code == 404
        result = client.post("/graphql", json={"query": '{ greeting(name: "hub") }'})
        assert result.json() == {"data": {"greeting": "你好, hub"}}


# --- in headless Chromium ----------------------------------------------------------------------

browser = pytest.mark.skipif(
    not chromium_available() and not os.environ.get("CI"),
    reason="needs the Debian package 'chromium' (`make test` installs it; in CI a missing one fails)",
)


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    with serving(make_app()) as url:
        yield url


@pytest.fixture(scope="module")
def stock_strawberry_url() -> Iterator[str]:
    """Strawberry's own GraphQL view, whose page loads from unpkg."""
    with serving(Starlette(routes=[Route("/graphql", GraphQL(strawberry.Schema(query=Query)))])) as url:
        yield url


@browser
@pytest.mark.browser
def test_graphiql_renders_in_chromium_without_leaving_loopback(served_url: str) -> None:
    shot = ARTIFACTS / "graphiql.png"
    shot.unlink(missing_ok=True)
    render = render_page(f"{served_url}/graphql", screenshot=shot)

    hosts = {urlsplit(url).hostname for url in render.requested_urls}
    assert hosts == {"127.0.0.1"}, render.requested_urls
    # What Chromium asks for on its own (time, sign-in, updates, autofill) goes to Google only,
    # so no request of the page can hide among them.
    browser_hosts = {urlsplit(r.url).hostname or "" for r in render.browser_requests}
    assert all(host.endswith((".google.com", ".googleapis.com")) for host in browser_hosts), browser_hosts
    assert not [m for m in render.console if "integrity" in m or "Refused" in m or "Error" in m], (
        render.console
    )
    assert render.failed_requests == [], render.failed_requests
    assets = [r for r in render.requests if urlsplit(r.url).path.startswith("/graphiql-static/")]
    assert len(assets) == 7 and all(r.status == 200 for r in assets)
    # GraphiQL introspected the schema through the page's own URL.
    assert any(
        r.method == "POST" and urlsplit(r.url).path == "/graphql" and r.status == 200 for r in render.requests
    )
    assert render.screenshot == shot and shot.stat().st_size > 20_000  # a blank page is ~5 KB

    dom = render_page(f"{served_url}/graphql", dump_dom=True).dom or ""
    assert 'class="graphiql-container"' in dom
    assert 'data-testid="graphiql-container"' in dom  # rendered by React, not the HTML placeholder
    assert "graphiql-query-editor" in dom and "CodeMirror" in dom
    assert "Welcome to GraphiQL" in dom
    (ARTIFACTS / "graphiql.dom.html").write_text(dom, encoding="utf-8")


@browser
@pytest.mark.browser
def test_browser_helper_reports_cdn_requests(stock_strawberry_url: str) -> None:
    """The NetLog check would catch a page that loads from a CDN: Strawberry's own page does."""
    render = render_page(f"{stock_strawberry_url}/graphql", dump_dom=True, virtual_time_budget_ms=3_000)
    cdn = [r for r in render.requests if urlsplit(r.url).hostname == "unpkg.com"]
    assert len(cdn) == 7
    assert all(r.failed for r in cdn)  # offline: unpkg.com does not resolve
    assert 'data-testid="graphiql-container"' not in (render.dom or "")
