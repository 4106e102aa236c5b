"""Cursor pagination: ``{"items": [...], "next_cursor": ...}`` everywhere.

A cursor is the sort key of the last item seen, opaque to clients (URL-safe
base64 of JSON), so pages stay stable while rows are added.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from shared.errors import InvalidInput

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200, description="Page size (1-200)")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="`next_cursor` of the previous page")
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The sort key a cursor carries; a cursor we did not make is a 422 on ``cursor``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(("query", "cursor"), "not a cursor this service issued") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput(("query", "cursor"), "not a cursor this service issued")
    return values
