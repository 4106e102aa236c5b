"""Consulate table."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.consular.database import Base


class Consulate(Base):
    __tablename__ = "consulates"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(100))
    hotline: Mapped[str | None] = mapped_column(String(20))
    time_zone: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    # Countries without a post of their own that this one serves (ISO 3166-1 alpha-2).
    zones: Mapped[list[str]] = mapped_column(ARRAY(String(2)), default=list, server_default="{}")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
