"""What providers send us."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.schemas import FreeText, InputBody, IsoDateTime

ProviderStatus = Literal["delivered", "undelivered", "failed", "expired"]


class DeliveryReportIn(InputBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": "0b8f6a3e-8a43-4c8e-9a2b-5d3c6f1e2a90",
                    "provider_message_id": "gw-123456",
                    "status": "delivered",
                }
            ]
        }
    )

    reference: uuid.UUID | None = Field(None, description="Our message id (the client reference)")
    provider_message_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = (
        None
    )
    status: ProviderStatus
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="Up to 500 characters; the message's status_reason keeps the first 200"
    )
    at: IsoDateTime | None = None

    @model_validator(mode="after")
    def _identifies_a_message(self) -> DeliveryReportIn:
        if self.reference is None and self.provider_message_id is None:
            raise ValueError("give reference (our message id) or provider_message_id")
        return self


class DeliveryReportOut(BaseModel):
    message_id: uuid.UUID
    status: str
    changed: bool = Field(description="False for a replayed or out-of-order report")


class InboundIn(InputBody):
    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [{"id": "gw-in-9876", "from": "+996700123456", "text": "ТОКТОТ"}]
        },
    )

    id: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The provider's id of this inbound SMS (replays are recognised by it)"
    )
    from_: Annotated[str, StringConstraints(max_length=20)] = Field(alias="from")
    text: Annotated[FreeText, StringConstraints(max_length=1600)]
    received_at: IsoDateTime | None = None


class InboundOut(BaseModel):
    id: uuid.UUID
    kind: Literal["stop", "start", "case_query", "help"]
    status: Literal["pending", "answered", "failed"] = Field(
        description="failed: a case query that could not be answered in time (no reply sent)"
    )
    duplicate: bool
    reply_message_id: uuid.UUID | None
