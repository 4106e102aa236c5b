"""Message bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from services.notifications.templates.schemas import Language, Params, SmsEncoding, TemplateKey
from shared.openapi import NamedEnum
from shared.schemas import InputBody

Status = Annotated[
    Literal["queued", "sent", "delivered", "failed", "expired", "suppressed"],
    NamedEnum(
        "MessageStatus",
        "`queued` (waiting or retrying) → `sent` (the operator took it) → `delivered`; "
        "or finally `failed`, `expired` (not sent in time) or `suppressed` (no consent, "
        "or the number opted out).",
    ),
]


class MessageIn(InputBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "to": "+996700123456",
                    "template": "case_opened",
                    "language": "ky",
                    "params": {"case_number": "RU-MOW-2026-000123", "hotline": "+74951234567"},
                    "reference": "case:6f1c2b9e-5d0a-4c3e-9a57-1f0e2d3c4b5a",
                    "urgent": False,
                }
            ]
        },
    )

    to: Annotated[str, StringConstraints(max_length=20)] = Field(
        description="E.164, e.g. +996700123456"
    )
    template: TemplateKey = Field(
        description="The template's key (`GET /v1/templates` lists them), e.g. `case_opened`"
    )
    language: Language
    params: Params = Field(
        default_factory=dict,
        description="A value for every `{placeholder}` in the template's body (strings of at "
        "most 300 characters or integers): a missing one is a 422 on `params.<name>`. "
        "Required in practice for every template that has placeholders; extra names are "
        "refused too.",
        examples=[{"case_number": "RU-MOW-2026-000123", "hotline": "+74951234567"}],
    )
    reference: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="Your own reference (a case id, say), to list messages by"
    )
    urgent: StrictBool = Field(False, description="Ignores quiet hours and the daily cap")


class MessageAccepted(BaseModel):
    id: uuid.UUID
    status: Status
    encoding: SmsEncoding
    segments: int
    to: str
    template: str
    language: Language
    template_version: int
    reference: str | None
    urgent: bool
    created_at: datetime


class MessageEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(description="accepted, deferred, attempt_failed, sent, delivered, ...")
    status: Status
    detail: str | None
    attempt: int | None
    provider: str | None
    at: datetime


class MessageOut(MessageAccepted):
    status_reason: str | None
    text: str
    attempts: int
    next_attempt_at: datetime | None
    expires_at: datetime
    provider: str | None
    provider_message_id: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    updated_at: datetime
    history: list[MessageEventOut]


class MessageSummary(MessageAccepted):
    status_reason: str | None
    updated_at: datetime


class MessageList(BaseModel):
    items: list[MessageSummary]
    next_cursor: str | None = None
