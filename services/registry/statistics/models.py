"""Monthly aggregates of the statistics tables, recomputed whole by a refresh.

One row per month and combination of every breakdown key with its count:
a table asked for sums the rows of its month(s) over the keys not asked for.
What the rows count is exactly what the live computation counts (see
``service.py``). Each refresh writes a new ``generation`` of rows beside the
answering one; ``statistics_refresh`` names the answering generation, up to
when it counts (``as_of``) and which months it covers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.database import Base


class _Keys:
    """The six breakdown keys: the same columns as a live table's rows."""

    sex: Mapped[str] = mapped_column(String(1))
    age_group: Mapped[str] = mapped_column(String(5))
    region: Mapped[str] = mapped_column(String(10))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[str | None] = mapped_column(String(1))
    occupation: Mapped[str | None] = mapped_column(String(1))
    n: Mapped[int] = mapped_column(Integer)


class StockMonthly(_Keys, Base):
    """The stock abroad on each month end."""

    __tablename__ = "statistics_stock_monthly"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    generation: Mapped[int] = mapped_column(Integer)
    month_end: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_statistics_stock_monthly_generation", "generation", "month_end"),)


class FlowsMonthly(_Keys, Base):
    """Departures and returns of each month (``month``: its first day)."""

    __tablename__ = "statistics_flows_monthly"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    generation: Mapped[int] = mapped_column(Integer)
    month: Mapped[date] = mapped_column(Date)
    movement: Mapped[str] = mapped_column(String(10))

    __table_args__ = (Index("ix_statistics_flows_monthly_generation", "generation", "month"),)


class Refresh(Base):
    """The last complete refresh: one row (``name = 'monthly'``)."""

    __tablename__ = "statistics_refresh"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The rows answered from; any other generation is being written or deleted.
    generation: Mapped[int] = mapped_column(Integer)
    # The data counted are those committed when the refresh's snapshot was taken.
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)
    took_seconds: Mapped[float] = mapped_column(Float)
