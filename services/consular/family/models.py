"""The consular outbox and the family SMS a case has sent."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.consular.database import Base
from shared.outbox import OutboxMixin


class OutboxItem(OutboxMixin, Base):
    __tablename__ = "outbox"


class FamilySms(Base):
    """One SMS to one family contact about a case. Its id is the outbox row that sends
    it, so it is also the ``Idempotency-Key`` notifications sees."""

    __tablename__ = "family_sms"
    __table_args__ = (Index("ix_family_sms_case", "case_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    # Masked (+996 *** ** 56): the case needs to say which contact, not the number.
    phone_masked: Mapped[str] = mapped_column(String(24))
    language: Mapped[str] = mapped_column(String(2))
    template: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # requested, queued, deferred, sent, delivered, failed, expired, suppressed, refused
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    status_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
