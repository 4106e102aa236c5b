"""Person event bodies."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from shared.schemas import InputBody, IsoDate


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
    reason: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class PersonReturnOut(BaseModel):
    cases: list[uuid.UUID]
