"""Departure, return and correction bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from shared.openapi import NamedEnum
from shared.schemas import InputBody as Body
from shared.schemas import IsoDate

Purpose = Annotated[
    Literal["work", "study", "family", "other"],
    NamedEnum("Purpose", "Why the person left."),
]
ReturnReason = Annotated[
    Literal["contract_end", "deportation", "entry_ban", "health", "family", "other"],
    NamedEnum("ReturnReason", "Why the person came back."),
]
MovementKind = Annotated[
    Literal["departure", "return"],
    NamedEnum("MovementKind", "A departure abroad or a return home."),
]
Country = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2", examples=["RU"])
Sector = Field(
    default=None, pattern=r"^[A-U]$", description="ISIC Rev.4 section letter (A-U)", examples=["F"]
)
Occupation = Field(
    default=None, pattern=r"^[0-9]$", description="ISCO-08 major group (0-9)", examples=["7"]
)
City = Field(default=None, min_length=1, max_length=120, description="City abroad, as told")
Employer = Field(default=None, min_length=1, max_length=200, description="Employer's name")
Agency = Field(default=None, min_length=1, max_length=200, description="Recruitment agency, if any")
Crossing = Field(
    default=None, min_length=1, max_length=120, description="Border post or airport crossed"
)
ContractEnd = Field(default=None, description="ISO 8601 date the work contract ends")


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

    departed_on: IsoDate = Field(description="ISO 8601 date the person left; not in the future")
    destination_country: str = Country
    destination_city: str | None = City
    purpose: Purpose | None = None
    employer: str | None = Employer
    sector: str | None = Sector
    occupation: str | None = Occupation
    recruitment_agency: str | None = Agency
    contract_end: IsoDate | None = ContractEnd
    border_crossing: str | None = Crossing


class ReturnCreate(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"returned_on": "2026-09-15", "reason": "contract_end"}]},
    )

    returned_on: IsoDate = Field(description="ISO 8601 date the person came back")
    reason: ReturnReason
    border_crossing: str | None = Crossing


class MovementChanges(Body):
    """The fields a correction changes; the rest are copied from the corrected row."""

    model_config = ConfigDict(extra="forbid")

    date: IsoDate | None = Field(default=None, description="ISO 8601 date of the movement")
    destination_country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2"
    )
    destination_city: str | None = City
    purpose: Purpose | None = None
    employer: str | None = Employer
    sector: str | None = Sector
    occupation: str | None = Occupation
    recruitment_agency: str | None = Agency
    contract_end: IsoDate | None = ContractEnd
    border_crossing: str | None = Crossing
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
    withdraw: StrictBool = Field(
        default=False, description="The movement never happened: supersede it with nothing"
    )
    changes: MovementChanges | None = None


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    kind: MovementKind
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
