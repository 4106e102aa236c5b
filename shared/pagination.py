"""Cursor pagination: ``{"items": [...], "next_cursor": ...}`` everywhere.

A cursor is the sort key of the last item seen, opaque to clients (URL-safe
base64 of JSON), so pages stay stable while rows are added. One codec reads
every cursor against the typed sort key of its list (``CursorKey``): a value of
the wrong type, out of the column's range or unencodable is a 422 on
``cursor``, never a database error.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field, Strict, TypeAdapter, ValidationError

from shared.errors import InvalidInput
from shared.schemas import IsoDateTime

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200, description="Page size (1-200)")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="`next_cursor` of the previous page")
]


def _storable(value: str) -> str:
    # PostgreSQL text holds neither NUL nor a lone surrogate (not encodable as UTF-8).
    value.encode("utf-8")
    if "\x00" in value:
        raise ValueError("NUL")
    return value


# The types a sort key may be made of, each as strict as the column it compares with.
KeyText = Annotated[str, Strict(), AfterValidator(_storable)]
KeyBigInt = Annotated[int, Strict(), Field(ge=0, le=2**63 - 1)]
KeyTimestamp = IsoDateTime
KeyUuid = uuid.UUID


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class CursorKey(Generic[T]):
    """The typed sort key of one list, e.g. ``CursorKey(tuple[KeyTimestamp, KeyUuid])``."""

    def __init__(self, key_type: type[T]) -> None:
        self._adapter: TypeAdapter[T] = TypeAdapter(key_type)

    def encode(self, key: T) -> str:
        raw = self._adapter.dump_json(key)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> T:
        """The sort key a cursor carries; a cursor we did not make is a 422 on ``cursor``."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            raw = base64.urlsafe_b64decode(padded.encode())
            return self._adapter.validate_python(json.loads(raw))
        except (binascii.Error, ValueError, UnicodeError, ValidationError) as exc:
            raise InvalidInput(("query", "cursor"), "not a cursor this service issued") from exc
