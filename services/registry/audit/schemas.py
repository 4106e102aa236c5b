"""Audit event as the API shows it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    id: uuid.UUID
    occurred_at: datetime
    actor: str
    role: str
    action: str
    resource_type: str
    resource_id: str
    person_id: uuid.UUID | None
    request_id: str | None
    # null until the sealer links the event into the chain (seconds)
    prev_hash: str | None
    hash: str | None
