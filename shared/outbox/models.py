"""The outbox table's columns, mixed into each service's own declarative base."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

PENDING, DELIVERED, POISONED = "pending", "delivered", "poisoned"


class OutboxMixin:
    """``class OutboxItem(OutboxMixin, Base): __tablename__ = "outbox"`` in a service."""

    # The row id is also the receiver's Idempotency-Key.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Which handler delivers it (e.g. "sms.send").
    kind: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # What it is about ("case:<id>"), for the admin listing; never personal data.
    subject: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Failed attempts only (a "not yet" recheck is not a failure).
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    # The peer's problem+json when it refused the row (status "poisoned").
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # The request that caused it: the relay's calls carry it on, so one id follows a flow.
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        from sqlalchemy import Index, text

        return (
            Index(
                f"ix_{cls.__tablename__}_due",  # type: ignore[attr-defined]
                "next_attempt_at",
                postgresql_where=text("status = 'pending'"),
            ),
            Index(f"ix_{cls.__tablename__}_subject", "subject"),  # type: ignore[attr-defined]
        )
