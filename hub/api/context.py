"""The per-request context: who is asking, its database session, its loaders, and what it read."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from strawberry.types import Info as StrawberryInfo

from hub.api.database import RequestSession
from hub.api.loaders import Loaders, build_loaders
from hub.config import Settings
from hub.warehouse.cases.service import today_in_china
from hub.warehouse.viewer import Viewer


@dataclass(frozen=True)
class HubContext:
    viewer: Viewer
    database: RequestSession
    loaders: Loaders
    settings: Settings
    # The calendar day deadlines are judged against, fixed once per request so that answers agree.
    today: dt.date = field(default_factory=today_in_china)
    # Every person this request returned, for the access log (hub.api.audit).
    accessed_persons: set[int] = field(default_factory=set)


def build_context(
    *,
    viewer: Viewer,
    sessions: sessionmaker[Session],
    settings: Settings,
    admission: asyncio.Semaphore | None = None,
) -> HubContext:
    """A fresh context for one operation, reading through one session from `sessions` once
    `admission` (the server's bound on operations holding a connection) lets it."""
    today = today_in_china()
    database = RequestSession(sessions, admission)
    return HubContext(
        viewer=viewer,
        database=database,
        loaders=build_loaders(database, viewer, today=today),
        settings=settings,
        today=today,
    )


Info = StrawberryInfo[HubContext, None]


R = TypeVar("R")


async def run_service(info: Info, service: Callable[..., R], **arguments: Any) -> R:
    """Call a keyword-only service function with the operation's session (see `hub.api.database`)."""
    return service(session=info.context.database.get(), **arguments)
