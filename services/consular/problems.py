"""OpenAPI declarations of the problem+json answers the consular routers give."""

from __future__ import annotations

from typing import Any

Responses = dict[int | str, dict[str, Any]]


def problem(text: str) -> dict[str, Any]:
    """One declared non-2xx answer: a problem+json body described by ``text``."""
    return {"description": text, "content": {"application/problem+json": {}}}
