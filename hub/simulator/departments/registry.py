"""综治中心 grid registry: divisions, grids, grid workers and address → grid, with no auth.

Offset pagination into `{"total", "items"}`. `updated_since` (ISO, as public security) filters on
when each entry last changed, which the items themselves do not carry: every response's `Date`
header is the registry's clock (the simulated now), from which a reader takes its next
`updated_since`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.utils import format_datetime

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from hub.simulator.departments.listing import (
    BadParameter,
    Listed,
    changed_since,
    fault_of,
    int_param,
    iso_param,
)
from hub.simulator.model import County
from hub.simulator.profiles import REPEATED_ITEMS

MAX_PAGE = 1000
DEFAULT_PAGE = 100


def division_records(county: County) -> list[Listed]:
    """Divisions from province down to village, in code order."""
    return sorted(
        (
            Listed(
                d.code,
                d.updated_at,
                {"code": d.code, "name": d.name, "level": d.level, "parent_code": d.parent_code},
                entity=f"division:{d.code}",
            )
            for d in county.divisions
        ),
        key=lambda record: record.key,
    )


def grid_records(county: County) -> list[Listed]:
    """Grids and micro-grids in code order (a grid precedes its micro-grids)."""
    return sorted(
        (
            Listed(
                g.code,
                g.updated_at,
                {
                    "code": g.code,
                    "name": g.name,
                    "level": g.level,
                    "division_code": g.division_code,
                    "parent_code": g.parent_code,
                },
                entity=f"grid:{g.code}",
            )
            for g in county.grids
        ),
        key=lambda record: record.key,
    )


def grid_worker_records(county: County) -> list[Listed]:
    """Grid workers in worker-id order."""
    return sorted(
        (
            Listed(
                w.worker_id,
                w.updated_at,
                {"worker_id": w.worker_id, "name": w.name, "phone": w.phone, "grid_code": w.grid_code},
                entity=f"grid_worker:{w.worker_id}",
            )
            for w in county.grid_workers
        ),
        key=lambda record: record.key,
    )


def address_records(county: County) -> list[Listed]:
    """Each household's door address and its micro-grid, in 户号 order (which is walking order)."""
    return [
        Listed(
            household.hh_no,
            max(
                county.grids_by_code[household.micro_grid_code].updated_at,
                household.moved_at or household.updated_at.min.replace(tzinfo=household.updated_at.tzinfo),
            ),
            {"address": household.address, "grid_code": household.micro_grid_code},
            entity=f"household:{household.hh_no}",
        )
        for household in sorted(county.households, key=lambda household: household.hh_no)
    ]


def routes(
    *,
    divisions: list[Listed],
    grids: list[Listed],
    grid_workers: list[Listed],
    addresses: list[Listed],
    now: dt.datetime,
) -> Mount:
    """The registry under `/registry`, serving the given records (see the builders) as of `now`."""
    date_header = {"date": format_datetime(now.astimezone(dt.UTC), usegmt=True)}

    def listing(records: list[Listed]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                offset = int_param(request, "offset", default=0, low=0, high=10**9)
                limit = int_param(request, "limit", default=DEFAULT_PAGE, low=1, high=MAX_PAGE)
                matching = changed_since(records, iso_param(request, "updated_since"))
            except BadParameter as error:
                return Response(orjson.dumps({"error": str(error)}), 400, media_type="application/json")
            # A repeated-items fault re-sends the previous page's last item first (offset drift).
            first = offset - 1 if fault_of(request) == REPEATED_ITEMS and offset > 0 else offset
            body = {
                "total": len(matching),
                "items": [record.item for record in matching[first : offset + limit]],
            }
            return Response(orjson.dumps(body), media_type="application/json", headers=date_header)

        return endpoint

    return Mount(
        "/registry",
        routes=[
            Route("/divisions", listing(divisions), methods=["GET"]),
            Route("/grids", listing(grids), methods=["GET"]),
            Route("/grid-workers", listing(grid_workers), methods=["GET"]),
            Route("/addresses", listing(addresses), methods=["GET"]),
        ],
    )
