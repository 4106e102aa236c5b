"""The outbox: one row per SMS, and its append-only history."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.notifications.database import Base


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # The worker's claim query: due queued messages, oldest first.
        Index(
            "ix_messages_due",
            "next_attempt_at",
            postgresql_where=text("status = 'queued'"),
        ),
        Index("ix_messages_to_phone_dispatched_at", "to_phone", "dispatched_at"),
        Index("ix_messages_caller_reference", "caller", "reference"),
        Index("ix_messages_to_phone_created_at", "to_phone", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(String(200))
    to_phone: Mapped[str] = mapped_column(String(20))
    template_key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    template_version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(8))
    segments: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(200))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Only the opt-out confirmation may reach a number that has just opted out.
    ignore_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    caller: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the care rules let it go: what the daily cap counts.
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MessageEvent(Base):
    """Everything that happened to a message: each status and each attempt."""

    __tablename__ = "message_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int | None] = mapped_column(Integer)
    provider: Mapped[str | None] = mapped_column(String(32))
    worker: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProviderCounter(Base):
    """Sends and failures per provider, for /metrics (kept by the workers, which
    may run on other machines than the API that is scraped).

    Each count is spread over a few shard rows: one row per outcome would be
    updated by every send of every worker and serialise them all on its lock.
    """

    __tablename__ = "provider_counters"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(32), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
