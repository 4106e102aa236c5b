"""Task bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict

from shared.openapi import NamedEnum

TaskStatus = Annotated[
    Literal["open", "done"],
    NamedEnum("TaskStatus", "`open` until someone has acted on it, then `done`."),
]


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    consulate: str
    assignee: str | None
    kind: Literal["family_not_reached"]
    detail: str
    status: TaskStatus
    created_at: datetime


class TaskList(BaseModel):
    items: list[TaskOut]
    next_cursor: str | None = None
