"""Marker bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.openapi import NamedEnum
from shared.schemas import FreeText
from shared.schemas import InputBody as Body


class MarkerKind(StrEnum):
    trafficking_survivor = "trafficking_survivor"
    violence_survivor = "violence_survivor"
    disability = "disability"
    serious_illness = "serious_illness"
    pregnancy = "pregnancy"
    unaccompanied_minor = "unaccompanied_minor"
    detained_abroad = "detained_abroad"


MarkerState = Annotated[
    Literal["active", "withdrawn", "all"],
    NamedEnum(
        "MarkerState",
        "`active` (the default): markers in force; `withdrawn`: ended ones, with who "
        "ended them, when and why; `all`: both.",
    ),
]

# The family may be part of the harm: no automatic family SMS for these.
NO_FAMILY_SMS: frozenset[MarkerKind] = frozenset(
    {MarkerKind.trafficking_survivor, MarkerKind.violence_survivor}
)


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class MarkerCreate(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "disability", "note": "Uses a wheelchair."}]}
    )

    kind: MarkerKind
    note: FreeText | None = Field(default=None, max_length=2000)
    family_member_id: uuid.UUID | None = Field(
        default=None, description="Mark one of the person's family members instead of the person"
    )


class MarkerWithdrawal(Body):
    reason: FreeText = Field(min_length=1, max_length=2000)

    _reason = field_validator("reason")(_required)


class MarkerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    family_member_id: uuid.UUID | None
    kind: MarkerKind
    note: str | None
    recorded_at: datetime
    recorded_by: str
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None


class ProtectionOut(BaseModel):
    """What a peer service needs to protect a person, and no more."""

    id: uuid.UUID = Field(description="The person")
    marked: bool = Field(description="The person has at least one active marker")
    no_family_sms: bool = Field(description="Automatic family SMS must not be sent")


class MarkerCount(BaseModel):
    kind: MarkerKind
    count: int | None = Field(description="People with an active marker of this kind")
    suppressed: bool


class MarkerStatisticsOut(BaseModel):
    suppression_threshold: int
    items: list[MarkerCount]
