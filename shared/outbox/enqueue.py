"""Writing a side effect into the outbox, inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.outbox.models import PENDING, OutboxMixin
from shared.request_context import current_request_id

Item = TypeVar("Item", bound=OutboxMixin)


def enqueue(
    session: AsyncSession,
    model: type[Item],
    kind: str,
    payload: dict[str, Any],
    *,
    subject: str | None = None,
    request_id: str | None = None,
    item_id: uuid.UUID | None = None,
) -> Item:
    """Add one pending row; it commits (or not) with the caller's transaction."""
    item = model()
    item.id, item.kind, item.payload, item.subject = item_id or uuid.uuid4(), kind, payload, subject
    item.status, item.attempts, item.failures = PENDING, 0, 0
    item.request_id = request_id or current_request_id()
    session.add(item)
    return item
