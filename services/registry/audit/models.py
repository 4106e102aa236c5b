"""The audit trail: one append-only row per read or write, hash-chained by the sealer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, FetchedValue, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"

    # The chain's order. Set by a trigger from ``audit_events_seq`` (never by
    # the writer); the sealer chains rows in seq order (see sealer.py).
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, server_default=FetchedValue())
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(64))
    # The person a family member or movement belongs to, so "everything about
    # this person" is one filter.
    person_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    request_id: Mapped[str | None] = mapped_column(String(200))
    # NULL until the sealer links the row into the chain.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_events_resource", "resource_type", "resource_id"),
        Index("ix_audit_events_actor", "actor"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_unsealed", "seq", postgresql_where=text("hash IS NULL")),
    )
