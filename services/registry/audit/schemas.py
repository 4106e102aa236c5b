"""Audit event as the API shows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

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


class CheckpointOut(BaseModel):
    seq: int
    time: datetime
    # Seconds since it was signed: the newest events are pinned by the next one.
    age_seconds: float


class AuditVerificationOut(BaseModel):
    """The chain checked now, from the newest signed checkpoint to the head."""

    status: Literal["intact", "broken", "incomplete"]
    # since_checkpoint: the checkpoint's event and every event after it;
    # newest_events: no checkpoint filed, so only the newest events.
    scope: Literal["since_checkpoint", "newest_events"]
    checked_at: datetime
    events_checked: int
    verified_from_seq: int | None
    verified_through_seq: int | None
    verified_through_time: datetime | None
    # Events appended after the head, not chained yet (the sealer runs every second).
    unsealed: int
    # What does not hold (TRUNCATED, REWRITTEN, FORGED CHECKPOINT, GAP ...), when broken.
    reason: str | None
    broken_seq: int | None
    checkpoint: CheckpointOut | None
