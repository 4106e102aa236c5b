"""Template bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    language: Literal["ky", "ru", "en"]
    version: int
    body: str
    created_at: datetime


class TemplateList(BaseModel):
    items: list[TemplateOut]
    next_cursor: str | None = None
