"""Case statistics bodies: counts only, never a name or a case."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.openapi import NamedEnum

Dimension = Annotated[
    Literal["category", "consulate", "status", "month"],
    NamedEnum("Dimension", "A breakdown key: each cell then carries this member."),
]


class Cell(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"consulate": "RU-MOW", "category": "wage_theft", "count": 12, "suppressed": False},
                {"consulate": "GB-LON", "category": "death", "count": None, "suppressed": True},
            ]
        }
    )

    category: str | None = None
    consulate: str | None = None
    status: str | None = None
    month: str | None = Field(default=None, examples=["2026-11"])
    count: int | None = Field(description="null when the cell is under the threshold")
    suppressed: bool


class CaseStatistics(BaseModel):
    by: list[Dimension]
    suppression_threshold: int
    cells: list[Cell]
