"""The Starlette application: GraphQL (with offline GraphiQL) at /graphql and /healthz."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from hub.api.context import HubContext, build_context
from hub.api.examples import EXAMPLES
from hub.api.graphiql import OfflineGraphQL, graphiql_static_mount
from hub.api.permissions import viewer_from_authorization
from hub.api.schema import build_schema
from hub.config import DEVELOPMENT_JWT_SECRET, Settings
from hub.db.engine import make_engine, session_factory
from hub.errors import InvalidInput, Unauthenticated


class HubGraphQL(OfflineGraphQL[HubContext, None]):
    """The GraphQL view, building each request's context (viewer, loaders) from its headers."""

    def __init__(self, *, settings: Settings, sessions: sessionmaker[Session]) -> None:
        super().__init__(
            build_schema(production=settings.is_production),
            graphiql=not settings.is_production,
            title="Grassroots governance hub — GraphiQL",
            example_tabs=[example.query for example in EXAMPLES],
        )
        self.settings = settings
        self.sessions = sessions

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> HubContext:
        viewer = viewer_from_authorization(request.headers.get("authorization"), settings=self.settings)
        return build_context(viewer=viewer, sessions=self.sessions, settings=self.settings)

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
    engine = engine or make_engine(settings.resolved_database_url)
    sessions = session_factory(engine)

    async def healthz(_: Request) -> Response:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    routes: list[Any] = [
        Route("/graphql", HubGraphQL(settings=settings, sessions=sessions)),
        Route("/healthz", healthz),
    ]
    if not settings.is_production:
        routes.append(graphiql_static_mount())
    return Starlette(routes=routes)
