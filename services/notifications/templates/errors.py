"""Template errors."""

from __future__ import annotations

from shared.errors import NotFound


class TemplateNotFound(NotFound):
    slug = "template-not-found"
