"""Restricted vulnerability markers on a person or one of their family members."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class Marker(Base):
    __tablename__ = "vulnerability_markers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    # None: the marker is on the migrant; else on this family member of theirs.
    family_member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("family_members.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(2000))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))
    # A withdrawn marker is kept: who ended it, when and why.
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(2000))

    __table_args__ = (
        Index(
            "ix_vulnerability_markers_active",
            "person_id",
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )
