"""Departures and returns in one table, so the sequence is one ordered list.

A correction never overwrites: the old row is kept, marked superseded (by
which row, when, who, why) and a new row takes its place in the sequence.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base, utcnow


class Movement(Base):
    __tablename__ = "movements"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # departure | return
    # Position in the person's sequence; a correction inherits it.
    position: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[date] = mapped_column(Date)
    destination_country: Mapped[str | None] = mapped_column(String(2))
    destination_city: Mapped[str | None] = mapped_column(String(120))
    purpose: Mapped[str | None] = mapped_column(String(20))
    employer: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(1))
    occupation: Mapped[str | None] = mapped_column(String(1))
    recruitment_agency: Mapped[str | None] = mapped_column(String(200))
    contract_end: Mapped[date | None] = mapped_column(Date)
    border_crossing: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(20))  # returns only
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), default=utcnow
    )
    # Set when a correction replaced (or withdrew) this row.
    superseded_by: Mapped[uuid.UUID | None] = mapped_column()
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_reason: Mapped[str | None] = mapped_column(String(500))
    superseded_by_actor: Mapped[str | None] = mapped_column(String(200))
    corrects: Mapped[uuid.UUID | None] = mapped_column()  # the row this one replaced

    __table_args__ = (Index("ix_movements_person_position", "person_id", "position"),)
