"""What we know about a phone number: its consent state and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.notifications.database import Base


class Recipient(Base):
    __tablename__ = "recipients"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The language we last wrote in: replies to this number use it.
    language: Mapped[str | None] = mapped_column(String(2))
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opt_out_keyword: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
