"""Person tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CHAR, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base, utcnow


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
    # Date and source of an explicit deceased/missing status.
    status_date: Mapped[date | None] = mapped_column(Date)
    status_source: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    # eager_defaults: read updated_at back with RETURNING (no lazy load in async).
    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}


class PersonNameKey(Base):
    """Search keys of a person's names (see ``persons.names``): one row per key.

    ``exact`` marks a token's full skeleton (not a one-letter deletion of it),
    so exact spellings rank before typos.
    """

    __tablename__ = "person_name_keys"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    exact: Mapped[bool] = mapped_column(Boolean, default=False)

    # Covering, so a search is an index-only scan.
    __table_args__ = (Index("ix_person_name_keys_key", "key", "person_id", "exact"),)


class StatusEvent(Base):
    """An explicit status fact: deceased, missing, or found again."""

    __tablename__ = "person_status_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
