"""Quiet hours and the daily cap, in the recipient's own time zone (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(now: datetime, zone: ZoneInfo, start_hour: int, end_hour: int) -> bool:
    """True when the local hour falls in [start, end), a window that may span midnight."""
    if start_hour == end_hour:
        return False
    hour = now.astimezone(zone).hour
    if start_hour < end_hour:
        return start_hour <= hour < end_hour
    return hour >= start_hour or hour < end_hour


def next_morning(now: datetime, zone: ZoneInfo, end_hour: int) -> datetime:
    """The next local ``end_hour``:00 after `now`, in UTC."""
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), time(end_hour), tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(end_hour), tzinfo=zone)
    return candidate.astimezone(UTC)


def local_day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Local midnight of today, in UTC: where the daily cap's count starts."""
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)


def tomorrow_morning(now: datetime, zone: ZoneInfo, end_hour: int) -> datetime:
    """Tomorrow's first sending hour (a capped message waits for the next day)."""
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=1)
    return datetime.combine(day, time(end_hour), tzinfo=zone).astimezone(UTC)


def backoff_seconds(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random.

    `attempt` counts from 1; `jitter` is a random number in [0, 1). Half of the
    delay keeps retries spaced; the random half keeps many workers from
    retrying a recovering gateway in lockstep.
    """
    delay = min(cap, base * 2 ** (attempt - 1))
    return float(delay / 2 + delay / 2 * jitter)
