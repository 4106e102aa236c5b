"""Statistics answers: counts by the keys asked for, small cells withheld."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.movements.schemas import MovementKind
from services.registry.persons.schemas import Sex
from shared.openapi import NamedEnum

# What a table may be broken down by (the ``by`` query parameter).
ByKey = Annotated[
    Literal["sex", "age_group", "region", "destination_country", "sector", "occupation"],
    NamedEnum("ByKey", "A breakdown key: each cell then carries this member."),
]
BY_KEYS: tuple[ByKey, ...] = (
    "sex",
    "age_group",
    "region",
    "destination_country",
    "sector",
    "occupation",
)


class Cell(BaseModel):
    """One cell: only the keys asked for in ``by`` appear (flows add ``movement``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"sex": "M", "destination_country": "RU", "count": 1520, "suppressed": False},
                {"sex": "F", "destination_country": "KR", "count": None, "suppressed": True},
            ]
        }
    )

    movement: MovementKind | None = None
    sex: Sex | None = None
    age_group: str | None = Field(
        default=None,
        description="Age in whole years on the day counted: 0-14, 15-19, five-year groups, 65+",
        examples=["25-29"],
    )
    region: str | None = Field(default=None, description="ISO 3166-2", examples=["KG-O"])
    destination_country: str | None = Field(
        default=None,
        description="ISO 3166-1 alpha-2; for a return, where the person came back from "
        "(null when not recorded)",
    )
    sector: str | None = Field(
        default=None, description="ISIC Rev.4 section (null when not recorded)"
    )
    occupation: str | None = Field(
        default=None, description="ISCO-08 major group (null when not recorded)"
    )
    count: int | None = Field(description="Null when the cell is withheld")
    suppressed: bool = Field(description="True when the count is under the threshold")


class StockOut(BaseModel):
    on: dt.date
    as_of: dt.datetime = Field(
        description="The data counted are those recorded up to this moment: the last refresh "
        "of the monthly aggregates when they cover the period, else the time of the answer "
        "(counted live)"
    )
    by: list[ByKey]
    suppression_threshold: int
    items: list[Cell]


class FlowsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from")
    to: dt.date
    as_of: dt.datetime = Field(
        description="The data counted are those recorded up to this moment: the last refresh "
        "of the monthly aggregates when they cover the period, else the time of the answer "
        "(counted live)"
    )
    by: list[ByKey]
    suppression_threshold: int
    items: list[Cell]
