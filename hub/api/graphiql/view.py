"""Strawberry's GraphQL view with a GraphiQL page that loads nothing from the internet.

Strawberry's page takes React, GraphiQL and its explorer plugin from unpkg.com and has no setting
to change that (DESIGN §10); government networks are air-gapped (DESIGN §1). This view serves
the same page with every unpkg URL pointed at the hub's own static mount
(``graphiql_static_mount``). The ``integrity`` attributes stay: the vendored files are identical.

The page sends queries to its own URL (``window.location`` without the query string), so it
keeps working wherever the view is routed (``/graphql``) and behind a path-prefixing proxy.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import TypedDict, Unpack

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import NoMatchFound
from strawberry.asgi import GraphQL
from strawberry.http.ides import get_graphql_ide_html
from strawberry.http.typevars import Context, RootValue
from strawberry.schema.base import BaseSchema

from hub.api.graphiql.assets import GRAPHIQL_STATIC_MOUNT_NAME, STATIC_DIR

UNPKG_PREFIX = "https://unpkg.com/"
_UNPKG_URL = re.compile(r"https://unpkg\.com/([^\"'\s]+)")
_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)
# Where the example tabs go into Strawberry's page: defined before its component, passed as GraphiQL 3's
# `defaultTabs` (used when the browser has no tabs stored yet), the first one as the initial query.
_COMPONENT_ANCHOR = "      function GraphiQLWithExplorer() {"
_INITIAL_QUERY_ANCHOR = "parameters.q || EXAMPLE_QUERY,"
_PROPS_ANCHOR = "          fetcher: fetcher,"


class GraphQLViewOptions(TypedDict, total=False):
    """The options of ``strawberry.asgi.GraphQL`` other than the schema and the IDE."""

    allow_queries_via_get: bool
    keep_alive: bool
    keep_alive_interval: float
    subscription_protocols: Sequence[str]
    connection_init_wait_timeout: timedelta
    multipart_uploads_enabled: bool
    max_subscriptions_per_connection: int | None


def vendored_asset_paths(page: str) -> list[str]:
    """The unpkg paths (``react@18.2.0/umd/react.production.min.js``) a GraphiQL page loads."""
    return _UNPKG_URL.findall(page)


def with_example_tabs(page: str, tabs: Sequence[str]) -> str:
    """``page`` opening with one GraphiQL tab per query in ``tabs`` (when none are stored yet).

    Raises ``RuntimeError`` when Strawberry's page no longer has the places the tabs go into.
    """
    if not tabs:
        return page
    anchors = (_COMPONENT_ANCHOR, _INITIAL_QUERY_ANCHOR, _PROPS_ANCHOR)
    if not all(page.count(anchor) == 1 for anchor in anchors):
        raise RuntimeError("Strawberry's GraphiQL page changed: cannot add the example tabs")
    # JSON is valid JavaScript; "</" is escaped so that no query can close the <script> element.
    literal = json.dumps([{"query": query} for query in tabs], ensure_ascii=False).replace("</", "<\\/")
    page = page.replace(_COMPONENT_ANCHOR, f"      const HUB_EXAMPLE_TABS = {literal};\n{_COMPONENT_ANCHOR}")
    page = page.replace(_INITIAL_QUERY_ANCHOR, "parameters.q || HUB_EXAMPLE_TABS[0].query,")
    return page.replace(_PROPS_ANCHOR, f"{_PROPS_ANCHOR}\n          defaultTabs: HUB_EXAMPLE_TABS,")


def offline_graphiql_template(*, title: str = "GraphiQL", example_tabs: Sequence[str] = ()) -> str:
    """Strawberry's GraphiQL page with its title and example tabs set; its unpkg URLs are still to be
    rewritten.

    Raises ``RuntimeError`` when the page asks for a file that is not vendored, which is what a
    Strawberry upgrade that moves to new asset versions looks like (see ``static/VENDORED.md``).
    """
    page = get_graphql_ide_html(graphql_ide="graphiql")
    missing = [path for path in vendored_asset_paths(page) if not (STATIC_DIR / path).is_file()]
    if missing:
        raise RuntimeError(
            f"Strawberry's GraphiQL page loads files that are not vendored: {missing}; "
            "refresh hub/api/graphiql/static as described in its VENDORED.md"
        )
    page = _TITLE.sub(lambda _: f"<title>{html.escape(title)}</title>", page, count=1)
    return with_example_tabs(page, example_tabs)


def localise_asset_urls(page: str, *, static_url: str) -> str:
    """``page`` with every ``https://unpkg.com/`` prefix replaced by ``static_url``."""
    return page.replace(UNPKG_PREFIX, static_url.rstrip("/") + "/")


class OfflineGraphQL(GraphQL[Context, RootValue]):
    """``strawberry.asgi.GraphQL`` whose GraphiQL page loads its assets from the hub itself.

    The app must also route ``graphiql_static_mount()`` (found by ``static_mount_name``).
    ``graphiql=False`` turns the page off (production, DESIGN §8); the other IDEs Strawberry
    offers load from CDNs and are therefore not offered.
    """

    def __init__(
        self,
        schema: BaseSchema,
        *,
        graphiql: bool = True,
        title: str = "GraphiQL",
        example_tabs: Sequence[str] = (),
        static_mount_name: str = GRAPHIQL_STATIC_MOUNT_NAME,
        **options: Unpack[GraphQLViewOptions],
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None, **options)
        self.static_mount_name = static_mount_name
        # Built once, so a missing asset fails at start-up rather than on the first page view.
        self._graphiql_template = (
            offline_graphiql_template(title=title, example_tabs=example_tabs) if graphiql else ""
        )

    def graphiql_static_url(self, request: Request) -> str:
        """The URL path of the static mount, as seen by the browser (``/graphiql-static/``)."""
        try:
            return request.url_for(self.static_mount_name, path="").path
        except NoMatchFound as error:
            raise RuntimeError(
                f"no route named {self.static_mount_name!r}: add graphiql_static_mount() "
                "to the app that serves OfflineGraphQL"
            ) from error

    async def render_graphql_ide(self, request: Request) -> Response:
        page = localise_asset_urls(self._graphiql_template, static_url=self.graphiql_static_url(request))
        return HTMLResponse(page, headers={"cache-control": "no-cache"})
