"""网格: grids and micro-grids under villages, their workers, and the address → grid rule."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance, only_on, source_record_index


class Grid(Provenance, Base):
    __tablename__ = "grids"
    # A grid subtree is a code prefix (`code LIKE '3301220010%'`). PostgreSQL's unique index on
    # `code` cannot answer LIKE under a non-C collation; a text_pattern_ops index can.
    __table_args__ = (
        source_record_index("grids"),
        only_on(
            "postgresql",
            Index("ix_grids_code_pattern", "code", postgresql_ops={"code": "text_pattern_ops"}),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 15 digits for a grid (village + 3), 17 for a micro-grid; prefix order is the tree order.
    code: Mapped[str] = mapped_column(String(17), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(8))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)


class GridWorker(Provenance, Base):
    __tablename__ = "grid_workers"
    __table_args__ = (source_record_index("grid_workers"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)


class GridAddress(Provenance, Base):
    """The registry's rule placing an address in a grid; households are assigned through it."""

    __tablename__ = "grid_addresses"
    __table_args__ = (source_record_index("grid_addresses"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(200), unique=True)
    # The address in comparable form (hub.resolution.addresses): departments write the same door
    # with or without the province and county, in full-width digits, with or without 号.
    address_key: Mapped[str] = mapped_column(String(200), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
