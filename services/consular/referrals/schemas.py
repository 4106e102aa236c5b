"""Referral bodies and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.consular.cases.schemas import Text, strip_required
from shared.openapi import NamedEnum
from shared.schemas import FreeText, InputBody

OrganizationType = Annotated[
    Literal["iom", "ngo", "lawyer", "host_authority", "shelter", "other"],
    NamedEnum("OrganizationType", "The kind of partner organization a case is referred to."),
]
ReferralStatus = Annotated[
    Literal["proposed", "accepted", "declined", "completed"],
    NamedEnum(
        "ReferralStatus",
        "A referral's status: `proposed` moves to `accepted` or `declined`; "
        "`accepted` moves to `completed`.",
    ),
]


class ReferralIn(InputBody):
    organization: str = Field(min_length=1, max_length=200, examples=["IOM Moscow"])
    organization_type: OrganizationType = "other"
    reason: FreeText = Text

    _strip = field_validator("organization", "reason")(strip_required)


class ReferralStatusIn(InputBody):
    status: ReferralStatus
    note: FreeText | None = Field(default=None, max_length=4000)


class ReferralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    organization: str
    organization_type: OrganizationType
    reason: str
    status: ReferralStatus
    created_by: str
    created_at: datetime
    updated_at: datetime


class ReferralList(BaseModel):
    items: list[ReferralOut]
    next_cursor: str | None = None
