"""The base of every request body: PostgreSQL text cannot hold a NUL character,
so one in any field (nested ones included) is a 422 naming the field, not a 500."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_contains_nul(item) for item in value)
    return False


class InputBody(BaseModel):
    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value
