"""Writing a message's outcome: its status, its next try, its history event.

Shared by the care rules (which defer, suppress or expire) and the recording
of send results (which retry or fail), so both write the same history. ``finish``
is the one place the worker gives a message a final status (failed, expired,
suppressed); the provider's delivery reports do it in ``callbacks/service.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.messages.models import Message, MessageEvent

# Events that are a provider attempt carry its number and the provider.
_ATTEMPTS = ("sent", "failed", "attempt_failed")


def event(
    session: AsyncSession,
    message: Message,
    kind: str,
    status: str,
    detail: str | None,
    *,
    worker: str,
    now: datetime,
) -> None:
    attempt = message.attempts if kind in _ATTEMPTS else None
    session.add(
        MessageEvent(
            message_id=message.id,
            kind=kind,
            status=status,
            detail=detail,
            attempt=attempt,
            provider=message.provider if attempt else None,
            worker=worker,
            at=now,
        )
    )


def release(message: Message, now: datetime) -> None:
    """The worker lets go of the message (it is finished or waits for later)."""
    message.lease_owner = message.lease_expires_at = None
    message.updated_at = now


def finish(
    session: AsyncSession,
    message: Message,
    status: str,
    reason: str,
    *,
    worker: str,
    now: datetime,
    kind: str | None = None,
) -> None:
    message.status = status
    message.status_reason = reason
    release(message, now)
    event(session, message, kind or status, status, reason, worker=worker, now=now)


def reschedule(
    session: AsyncSession,
    message: Message,
    when: datetime,
    kind: str,
    why: str,
    *,
    worker: str,
    now: datetime,
) -> None:
    """Try again at `when`, or expire now if `when` is past the time to live."""
    if when >= message.expires_at:
        reason = f"would expire before its next try ({why})"
        finish(session, message, "expired", reason, worker=worker, now=now)
        return
    message.next_attempt_at = when
    release(message, now)
    detail = f"{why}; next try at {when.isoformat(timespec='seconds')}"
    event(session, message, kind, "queued", detail, worker=worker, now=now)
