"""Delivery reports: idempotent status updates."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.callbacks.schemas import DeliveryReportIn
from services.notifications.messages.errors import MessageNotFound
from services.notifications.messages.models import Message, MessageEvent

_OURS = {
    "delivered": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "expired": "expired",
}
# A report may move a message out of these states; later reports change nothing.
_OPEN = ("queued", "sent")
# Message.status_reason's length; the history keeps the provider's full reason.
_REASON_LENGTH = 200


async def apply_report(
    session: AsyncSession, report: DeliveryReportIn, *, provider: str
) -> tuple[Message, bool]:
    """``provider``: the configured provider, the one that signs callbacks; its
    ids are only unique among its own messages."""
    query = select(Message).with_for_update()
    if report.reference is not None:
        query = query.where(Message.id == report.reference)
    else:
        query = query.where(
            Message.provider == provider,
            Message.provider_message_id == report.provider_message_id,
        )
    message = (await session.scalars(query.limit(1))).first()
    if message is None:
        raise MessageNotFound("No message has this reference.")
    status = _OURS[report.status]
    if message.status not in _OPEN:
        return message, False  # a replay, or a report after a final state
    now = datetime.now(UTC)
    message.status = status
    message.status_reason = _short(report.reason) if status != "delivered" else None
    message.updated_at = now
    if status == "delivered":
        message.delivered_at = report.at or now
    if report.provider_message_id and message.provider_message_id is None:
        message.provider_message_id = report.provider_message_id
    session.add(
        MessageEvent(
            message_id=message.id,
            kind="delivery_report",
            status=status,
            detail=report.reason or report.status,
            provider=message.provider,
            at=now,
        )
    )
    return message, True


def _short(reason: str | None) -> str | None:
    if reason is None or len(reason) <= _REASON_LENGTH:
        return reason
    return reason[: _REASON_LENGTH - 1] + "…"
