"""Message errors."""

from __future__ import annotations

from shared.errors import NotFound


class MessageNotFound(NotFound):
    """No such message among the caller's."""

    slug = "message-not-found"
