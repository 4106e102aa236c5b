"""Consulate bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class ConsulateOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "code": "RU-MOW",
                    "name": "Embassy of the Kyrgyz Republic in the Russian Federation",
                    "country": "RU",
                    "city": "Moscow",
                    "hotline": None,
                    "time_zone": "Europe/Moscow",
                    "kind": "embassy",
                }
            ]
        },
    )

    code: str
    name: str
    country: str
    city: str
    hotline: str | None
    time_zone: str
    kind: Literal["embassy", "consulate_general", "consulate"]


class ConsulateList(BaseModel):
    items: list[ConsulateOut]
    next_cursor: str | None = None
