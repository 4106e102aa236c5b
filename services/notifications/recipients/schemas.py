"""Opt-out bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class OptOutOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "phone": "+996700123456",
                    "opted_out_at": "2026-11-29T09:12:00Z",
                    "opt_out_keyword": "STOP",
                }
            ]
        },
    )

    phone: str = Field(description="E.164")
    opted_out_at: datetime
    opt_out_keyword: str | None = Field(
        description="What the owner texted (STOP, ...), or `admin` when set by an administrator"
    )


class OptOutList(BaseModel):
    items: list[OptOutOut]
    next_cursor: str | None = None
