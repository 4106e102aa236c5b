"""Whole calendar periods only: a table over a window shifted by a day would
differ from the original by a handful of people (a differencing attack), so
periods are months, quarters or years, and stocks are counted at month ends."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from shared.errors import InvalidInput


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def last_complete_month(today: date) -> tuple[date, date]:
    """(first day, last day) of the month before ``today``'s."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _check_ended(parameter: str, day: date, today: date) -> None:
    """A month is counted once it has ended: a later one would show a partial count as
    if it were final (and a date years ahead, today's stock under that date)."""
    last = last_complete_month(today)[1]
    if day > last:
        raise InvalidInput(
            ("query", parameter),
            f"{day} is in a month that has not ended yet; the last complete month ends {last}",
        )


def check_stock_date(on: date, today: date) -> date:
    """A month end no later than the last complete month's."""
    if on != month_end(on):
        raise InvalidInput(("query", "on"), f"must be the last day of a month ({month_end(on)})")
    _check_ended("on", on, today)
    return on


def check_period(start: date, end: date, today: date) -> tuple[date, date]:
    """A whole month, quarter or year (or several months), first day to last day, ended
    by ``today``."""
    if start.day != 1:
        raise InvalidInput(("query", "from"), "must be the first day of a month")
    if end != month_end(end):
        raise InvalidInput(("query", "to"), f"must be the last day of a month ({month_end(end)})")
    _check_ended("from", start, today)
    _check_ended("to", end, today)
    if end < start:
        raise InvalidInput(("query", "to"), "is before from")
    return start, end


def sdmx_period(start: date, end: date) -> str:
    """TIME_PERIOD as SDMX writes it: 2025, 2025-Q2, 2025-06, or an ISO interval."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12 and start.month == 1:
        return f"{start.year}"
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}-Q{(start.month + 2) // 3}"
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    return f"{start.isoformat()}/{end.isoformat()}"
