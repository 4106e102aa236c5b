"""Departure, return and correction bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.schemas import InputBody as Body
from shared.schemas import IsoDate

Purpose = Literal["work", "study", "family", "other"]
ReturnReason = Literal["contract_end", "deportation", "entry_ban", "health", "family", "other"]
Country = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2", examples=["RU"])
Sector = Field(
    default=None, pattern=r"^[A-U]$", description="ISIC Rev.4 section letter (A-U)", examples=["F"]
)
Occupation = Field(
    default=None, pattern=r"^[0-9]$", description="ISCO-08 major group (0-9)", examples=["7"]
)
Text200 = Field(default=None, min_length=1, max_length=200)
Text120 = Field(default=None, min_length=1, max_length=120)


class DepartureCreate(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "departed_on": "2026-03-01",
                    "destination_country": "RU",
                    "destination_city": "Moscow",
                    "purpose": "work",
                    "employer": "Monolit Stroi",
                    "sector": "F",
                    "occupation": "7",
                    "contract_end": "2027-03-01",
                    "border_crossing": "Manas airport",
                }
            ]
        },
    )

    departed_on: IsoDate
    destination_country: str = Country
    destination_city: str | None = Text120
    purpose: Purpose | None = None
    employer: str | None = Text200
    sector: str | None = Sector
    occupation: str | None = Occupation
    recruitment_agency: str | None = Text200
    contract_end: IsoDate | None = None
    border_crossing: str | None = Text120


class ReturnCreate(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"returned_on": "2026-09-15", "reason": "contract_end"}]},
    )

    returned_on: IsoDate
    reason: ReturnReason
    border_crossing: str | None = Text120


class MovementChanges(Body):
    """The fields a correction changes; the rest are copied from the corrected row."""

    date: IsoDate | None = None
    destination_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    destination_city: str | None = Text120
    purpose: Purpose | None = None
    employer: str | None = Text200
    sector: str | None = Sector
    occupation: str | None = Occupation
    recruitment_agency: str | None = Text200
    contract_end: IsoDate | None = None
    border_crossing: str | None = Text120
    return_reason: ReturnReason | None = None


class MovementCorrection(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reason": "Date misread from the border stamp",
                    "changes": {"date": "2026-03-02"},
                },
                {"reason": "Recorded for the wrong person", "withdraw": True},
            ]
        },
    )

    reason: str = Field(min_length=1, max_length=500, description="Why the record was wrong")
    withdraw: bool = Field(
        default=False, description="The movement never happened: supersede it with nothing"
    )
    changes: MovementChanges | None = None


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    kind: Literal["departure", "return"]
    date: dt.date
    destination_country: str | None
    destination_city: str | None
    purpose: Purpose | None
    employer: str | None
    sector: str | None
    occupation: str | None
    recruitment_agency: str | None
    contract_end: dt.date | None
    border_crossing: str | None
    reason: ReturnReason | None = Field(description="Returns: why the person came back")
    recorded_by: str
    recorded_at: dt.datetime
    corrects: uuid.UUID | None = Field(description="The movement this one corrected")
    superseded: bool
    superseded_by: uuid.UUID | None
    superseded_at: dt.datetime | None
    superseded_reason: str | None
    superseded_by_actor: str | None
