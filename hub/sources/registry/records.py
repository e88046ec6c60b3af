"""Master-data items as the grid registry serves them (JSON, `{"total", "items"}` pages)."""

from __future__ import annotations

from typing import TypedDict


class DivisionPayload(TypedDict, total=False):
    code: str  # 12-digit 统计用区划代码
    name: str
    level: str  # province | city | county | township | village
    parent_code: str | None


class GridPayload(TypedDict, total=False):
    code: str  # 15 digits (grid) or 17 (micro)
    name: str
    level: str  # grid | micro
    division_code: str
    parent_code: str | None


class GridWorkerPayload(TypedDict, total=False):
    worker_id: str
    name: str
    phone: str | None
    grid_code: str


class AddressPayload(TypedDict, total=False):
    address: str
    grid_code: str


def division_id(payload: DivisionPayload) -> str:
    """A division's record id: its code."""
    return str(payload.get("code") or "")


def grid_id(payload: GridPayload) -> str:
    """A grid's record id: its code."""
    return str(payload.get("code") or "")


def grid_worker_id(payload: GridWorkerPayload) -> str:
    """A grid worker's record id: the registry's worker number."""
    return str(payload.get("worker_id") or "")


def address_id(payload: AddressPayload) -> str:
    """An address entry's record id: the address as written (the registry keys its rule by it)."""
    return str(payload.get("address") or "")
