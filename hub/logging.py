"""Structured logging: one event per line, JSON in production, readable on a developer's terminal."""

from __future__ import annotations

import logging
import sys
from typing import TextIO, cast

import structlog

from hub.config import Settings


def configure_logging(settings: Settings) -> None:
    """Send structlog events to stderr (stdout is the CLI's own output), as JSON in production."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if settings.is_production else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=cast(TextIO, _CurrentStderr())),
        cache_logger_on_first_use=True,
    )


class _CurrentStderr:
    """Whatever `sys.stderr` is when an event is written, not when logging was configured: a
    caller that swaps stderr for a while (a test's CLI runner) must not leave loggers writing to a
    closed stream."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()
