"""The per-request context: who is asking, a session factory, and the request's loaders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info as StrawberryInfo

from hub.api.loaders import Loaders, build_loaders
from hub.config import Settings
from hub.warehouse.viewer import Viewer


@dataclass(frozen=True)
class HubContext:
    viewer: Viewer
    sessions: sessionmaker[Session]
    loaders: Loaders
    settings: Settings


def build_context(*, viewer: Viewer, sessions: sessionmaker[Session], settings: Settings) -> HubContext:
    return HubContext(
        viewer=viewer, sessions=sessions, loaders=build_loaders(sessions, viewer), settings=settings
    )


Info = StrawberryInfo[HubContext, None]


R = TypeVar("R")


async def run_service(info: Info, service: Callable[..., R], **arguments: Any) -> R:
    """Call a keyword-only service function with a short session of its own, off the event loop."""

    def call() -> R:
        with info.context.sessions() as session:
            return service(session=session, **arguments)

    return await run_in_threadpool(call)
