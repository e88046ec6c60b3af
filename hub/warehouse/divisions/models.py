"""行政区划: the administrative division tree (province → city → county → township → village)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Provenance, source_record_index


class Division(Provenance, Base):
    __tablename__ = "divisions"
    __table_args__ = (source_record_index("divisions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"), index=True)
