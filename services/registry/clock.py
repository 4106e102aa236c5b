"""The registry's calendar: "today" is the configured country's date, not the
server's. A server in UTC would otherwise refuse a departure recorded just
after midnight in Bishkek (UTC+6) as dated in the future."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.registry.settings import RegistrySettings


def today(settings: RegistrySettings) -> date:
    return datetime.now(ZoneInfo(settings.time_zone)).date()


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def years_before(day: date, years: int) -> date:
    return years_after(day, -years)
