"""Task bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    consulate: str
    assignee: str | None
    kind: Literal["family_not_reached"]
    detail: str
    status: Literal["open", "done"]
    created_at: datetime


class TaskList(BaseModel):
    items: list[TaskOut]
    next_cursor: str | None = None
