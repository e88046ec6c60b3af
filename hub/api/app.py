"""The Starlette application: GraphQL (with offline GraphiQL) at /graphql and /healthz."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from hub.api.context import HubContext, build_context
from hub.api.database import admission_limit, api_engine
from hub.api.examples import EXAMPLES
from hub.api.graphiql import OfflineGraphQL, graphiql_static_mount
from hub.api.permissions import viewer_from_authorization
from hub.api.schema import build_schema
from hub.config import DEVELOPMENT_JWT_SECRET, Settings
from hub.db.engine import session_factory
from hub.errors import InvalidInput, Unauthenticated


class HubGraphQL(OfflineGraphQL[HubContext, None]):
    """The GraphQL view, building each request's context (viewer, loaders) from its headers.

    At most `admission` operations hold a connection at once (see `hub.api.database`); the others
    wait their turn.
    """

    def __init__(self, *, settings: Settings, sessions: sessionmaker[Session], admission: int | None) -> None:
        super().__init__(
            build_schema(production=settings.is_production),
            graphiql=not settings.is_production,
            title="Grassroots governance hub — GraphiQL",
            example_tabs=[example.query for example in EXAMPLES],
        )
        self.settings = settings
        self.sessions = sessions
        self.admission = asyncio.Semaphore(admission) if admission is not None else None

    def encode_json(self, data: object) -> bytes:
        """The response body: orjson encodes a page of households about ten times faster than `json`."""
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> HubContext:
        viewer = viewer_from_authorization(request.headers.get("authorization"), settings=self.settings)
        return build_context(
            viewer=viewer, sessions=self.sessions, settings=self.settings, admission=self.admission
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Refuse unauthenticated calls before Strawberry runs, with the same error shape as the API.
        if scope["type"] == "http" and scope["method"] == "POST":
            try:
                viewer_from_authorization(Request(scope).headers.get("authorization"), settings=self.settings)
            except Unauthenticated as error:
                body = {"errors": [{"message": str(error), "extensions": {"code": error.code}}]}
                await JSONResponse(body, status_code=401)(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    """The hub's ASGI app over the warehouse at `settings.resolved_database_url` (or `engine`).

    In production it refuses the development token secret: anyone could sign tokens with it.
    """
    if settings.is_production and settings.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET:
        raise InvalidInput("HUB_JWT_SECRET must be set to a secret of your own in production")
    engine = engine or api_engine(settings.resolved_database_url)
    sessions = session_factory(engine)

    async def healthz(_: Request) -> Response:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # What start-up built (the schema, the ORM's mappings, the reference tables) lives as long as
        # the server; frozen, it is left out of the collector's full passes, which walked all of it
        # every few page requests (measured: 38 ms every ten pages of 100 households).
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()

    routes: list[Any] = [
        Route(
            "/graphql",
            HubGraphQL(settings=settings, sessions=sessions, admission=admission_limit(engine)),
        ),
        Route("/healthz", healthz),
    ]
    if not settings.is_production:
        routes.append(graphiql_static_mount())
    return Starlette(routes=routes, lifespan=lifespan)
