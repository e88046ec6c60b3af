"""The vendored GraphiQL files and the Starlette mount that serves them.

The files under ``static/`` are byte-for-byte copies of what Strawberry's GraphiQL page loads from
unpkg (see ``static/VENDORED.md``), kept in unpkg's ``<package>@<version>/<path>`` layout so that
the page's Subresource Integrity hashes still hold when it loads them from here.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
"""Folder of the vendored files; ``<package>@<version>/<path>`` mirrors the unpkg URL."""

GRAPHIQL_STATIC_MOUNT_NAME = "graphiql-static"
"""Route name of the static mount; the GraphiQL view finds the assets' URL by this name."""

DEFAULT_GRAPHIQL_STATIC_PATH = "/graphiql-static"

# Scripts and stylesheets are UTF-8; saying so keeps a browser from guessing (and the page's
# SRI check is on bytes, so the charset does not affect it).
_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE files
}
# Every .js/.css lives under a versioned folder (react@18.2.0/...), so its URL never changes
# content: browsers may keep it for a year without asking again.
_IMMUTABLE = "public, max-age=31536000, immutable"


class VendoredStaticFiles(StaticFiles):
    """``StaticFiles`` with explicit UTF-8 content types and long-lived caching of versioned assets."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        suffix = Path(full_path).suffix
        if response.status_code == 200 and suffix in _MEDIA_TYPES:
            response.headers["content-type"] = _MEDIA_TYPES[suffix]
        response.headers["x-content-type-options"] = "nosniff"
        response.headers["cache-control"] = _IMMUTABLE if suffix in (".js", ".css") else "no-cache"
        return response


def graphiql_static_mount(
    path: str = DEFAULT_GRAPHIQL_STATIC_PATH, *, name: str = GRAPHIQL_STATIC_MOUNT_NAME
) -> Mount:
    """A ``Mount`` serving the vendored GraphiQL assets at ``path``.

    Add it to the same Starlette app as the GraphQL route; ``OfflineGraphQL`` looks it up by
    ``name`` (``request.url_for``), so ``path`` can be anything, and a ``root_path`` behind a
    reverse proxy is honoured.
    """
    return Mount(path, app=VendoredStaticFiles(directory=STATIC_DIR), name=name)
