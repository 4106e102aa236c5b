"""The base of every registry request body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator


class Body(BaseModel):
    """Refuses NUL characters in any text field: PostgreSQL text cannot hold
    them, so they would otherwise surface as a 500 instead of a 422."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value
