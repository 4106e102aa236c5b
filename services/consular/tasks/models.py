"""Follow-up tasks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.consular.database import Base


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_consulate_created", "consulate", "created_at", "id"),
        Index("ix_tasks_case", "case_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    # The case's consulate when raised (officers see their consulate's tasks).
    consulate: Mapped[str] = mapped_column(String(12))
    # The case's officer when raised; None when the case had no assignee yet.
    assignee: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))  # family_not_reached
    detail: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
