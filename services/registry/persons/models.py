"""Person tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CHAR, Date, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pin: Mapped[str] = mapped_column(String(14), unique=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    last_name_latin: Mapped[str | None] = mapped_column(String(100))
    first_name_latin: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(CHAR(1))
    birth_date: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    region: Mapped[str] = mapped_column(String(10), index=True)
    locality: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="ky")
    status: Mapped[str] = mapped_column(String(20), default="in_country", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __mapper_args__ = {"version_id_col": version}
