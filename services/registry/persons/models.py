"""Person tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CHAR, Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY
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
    # Name search (see ``persons.names.search_tokens``), GIN-indexed.
    name_tokens: Mapped[list[str]] = mapped_column(
        ARRAY(String(25)), default=list, server_default=text("'{}'")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    # eager_defaults: read updated_at back with RETURNING (no lazy load in async).
    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}
    __table_args__ = (
        Index("ix_persons_name_tokens", "name_tokens", postgresql_using="gin"),
        # Newest registrations first (a registrar's home) without sorting the registry.
        Index("ix_persons_created_at_id", "created_at", "id"),
    )


class NameVocabulary(Base):
    """Every name token in the registry with its one-letter deletions (see
    ``persons.names``): a query token finds the spellings within about one edit
    here, then the people carrying them through ``persons.name_tokens``. Its
    size follows the number of distinct names, not of people."""

    __tablename__ = "name_vocabulary"

    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    token: Mapped[str] = mapped_column(String(24), primary_key=True)


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
