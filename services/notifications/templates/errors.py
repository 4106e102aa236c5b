"""Template errors."""

from __future__ import annotations

from shared.errors import NotFound


class TemplateNotFound(NotFound):
    """No such template."""

    slug = "template-not-found"
