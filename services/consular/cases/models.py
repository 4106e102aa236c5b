"""Case tables: the case itself, its append-only timeline, numbering, officers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnClause

from services.consular.database import Base

# The words a case is found by, as one expression shared by the index and the queries
# (the planner only uses the index for the identical expression). 'simple' does no
# stemming, so Kyrgyz, Russian and English text are treated alike.
SIMPLE: ColumnClause[Any] = literal_column("'simple'::regconfig")
SEARCH_WORDS = func.to_tsvector(
    SIMPLE,
    # Written the way PostgreSQL prints it back, so autogenerate sees no difference.
    text(
        "(((COALESCE(person_last_name, ''::character varying)::text || ' '::text) "
        "|| COALESCE(person_first_name, ''::character varying)::text) || ' '::text) "
        "|| description"
    ),
)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_consulate_opened", "consulate", "opened_at", "id"),
        Index("ix_cases_opened", "opened_at", "id"),
        Index("ix_cases_person_id", "person_id"),
        # Search ``q``: word prefixes of the person's names and the description.
        Index("ix_cases_search_words", SEARCH_WORDS, postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_number: Mapped[str] = mapped_column(String(24), unique=True)
    consulate: Mapped[str] = mapped_column(ForeignKey("consulates.code"))
    # Person: a registry id, or details of someone not yet registered (linked later).
    # Names are also kept for registered people (copied from the registry when linked) so
    # officers can search their cases by name without a registry round trip per row.
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    person_last_name: Mapped[str | None] = mapped_column(String(100))
    person_first_name: Mapped[str | None] = mapped_column(String(100))
    person_pin: Mapped[str | None] = mapped_column(String(14))
    person_phone: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    resolution: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String(32))
    location_country: Mapped[str | None] = mapped_column(String(2))
    location_city: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(200))
    notify_family: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # SLA budget fixed at opening, and the clock in a form SQL can filter on:
    # deadline = clock_due_at, pushed out by the current pause when clock_paused_at is set.
    sla_hours: Mapped[float] = mapped_column(Float)
    clock_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    clock_paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    def touch(self, now: datetime, *, new_version: bool = True) -> datetime:
        """Stamp a change at ``now`` and return the stamp.

        Never earlier than the last change (another machine's clock may lag), so status
        spans cannot run backwards. ``new_version`` bumps the version ``If-Match`` checks:
        off for notes and referrals, which add to the case without changing its fields.
        """
        self.updated_at = max(now, self.updated_at)
        if new_version:
            self.version += 1
        return self.updated_at


class CaseEvent(Base):
    """One line of a case's timeline. Append-only: a trigger refuses UPDATE and DELETE."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class CaseNumberCounter(Base):
    """Last sequence number handed out per consulate and year (row lock = no duplicates)."""

    __tablename__ = "case_number_counters"

    consulate: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Officer(Base):
    """Consular officers seen changing cases, so assignments can name only real colleagues.

    There is no user directory in this system: the identity provider's tokens are the
    source of truth, so an officer becomes assignable once they have changed a case
    (reads record nothing).
    """

    __tablename__ = "officers"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    consulate: Mapped[str] = mapped_column(String(12))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
