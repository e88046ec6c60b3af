"""Chinese labels for codes, read from the reference tables (never literals in resolvers)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hub.reference.tables import load_table

CHINA = ZoneInfo("Asia/Shanghai")

# The unified lifecycle's own words (DESIGN §2); each department's wording is in case_statuses.csv.
LIFECYCLE_LABELS = {
    "received": "受理",
    "assigned": "分流",
    "in_progress": "办理",
    "resolved": "办结",
    "followed_up": "回访",
}


def label(table: str, code: str | None) -> str | None:
    """The Chinese label of `code` in `table`, or None when there is no code or it is unknown."""
    return load_table(table).label(code) if code else None


def local_time(at: dt.datetime | None) -> dt.datetime | None:
    """Times are shown in China Standard Time, as the departments and users write them."""
    return at.astimezone(CHINA) if at else None
