"""Structured logging: one event per line, JSON in production, readable on a developer's terminal."""

from __future__ import annotations

import logging
import sys

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
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
