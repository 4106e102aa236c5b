"""Person event bodies."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict

from shared.openapi import NamedEnum
from shared.schemas import InputBody, IsoDate

# The registry's return reasons (services share no code, so the list is repeated here):
# the summary written on a case is never free text from the caller.
ReturnReason = Annotated[
    Literal["contract_end", "deportation", "entry_ban", "health", "family", "other"],
    NamedEnum("ReturnReason", "Why the person came back."),
]


class PersonReturnIn(InputBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_id": "6f1c2b9e-5d0a-4c3e-9a57-1f0e2d3c4b5a",
                    "returned_on": "2026-11-20",
                    "reason": "contract_end",
                }
            ]
        },
    )

    person_id: uuid.UUID
    returned_on: IsoDate
    reason: ReturnReason


class PersonReturnOut(BaseModel):
    cases: list[uuid.UUID]
