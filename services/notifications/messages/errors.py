"""Message errors."""

from __future__ import annotations

from shared.errors import NotFound


class MessageNotFound(NotFound):
    slug = "message-not-found"
