"""Consulate bodies."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import available_timezones

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from services.consular.cases.schemas import check_country, check_e164
from shared.openapi import NamedEnum
from shared.schemas import InputBody

Kind = Annotated[
    Literal["embassy", "consulate_general", "consulate"],
    NamedEnum("ConsulateKind", "The kind of mission."),
]


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
                    "zones": ["BY"],
                    "version": 1,
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
    kind: Kind
    zones: list[str] = Field(
        description="Countries without a post of their own that this one serves (ISO 3166-1)"
    )
    version: int


class ConsulateList(BaseModel):
    items: list[ConsulateOut]
    next_cursor: str | None = None


def _check_time_zone(value: str) -> str:
    if value not in available_timezones():
        raise ValueError("not an IANA time zone name (e.g. Europe/Moscow)")
    return value


def _check_hotline(value: str | None) -> str | None:
    return None if value is None else check_e164(value)


def _check_zones(value: list[str] | None) -> list[str] | None:
    """Each an ISO 3166-1 alpha-2 code, upper-cased, once each, sorted."""
    if value is None:
        return None
    for code in value:
        if pycountry.countries.get(alpha_2=code.upper()) is None:
            raise PydanticCustomError(
                "country_code", "{code} is not an ISO 3166-1 alpha-2 country code", {"code": code}
            )
    return sorted({code.upper() for code in value})


Zones = Annotated[list[Annotated[str, Field(min_length=2, max_length=2)]], Field(max_length=60)]


class ConsulateCreate(InputBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "RU-KRR",
                    "name": "Consulate of the Kyrgyz Republic in Krasnodar",
                    "country": "RU",
                    "city": "Krasnodar",
                    "hotline": "+78612000000",
                    "time_zone": "Europe/Moscow",
                    "kind": "consulate",
                    "zones": [],
                }
            ]
        }
    )

    code: str = Field(pattern=r"^[A-Z]{2}-[A-Z]{3}$")
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=2)
    city: str = Field(min_length=1, max_length=100)
    hotline: str | None = Field(default=None, max_length=20)
    time_zone: str = Field(max_length=64)
    kind: Kind
    zones: Zones = Field(default_factory=list, description="Other countries it serves")

    _country = field_validator("country")(check_country)
    _tz = field_validator("time_zone")(_check_time_zone)
    _hotline = field_validator("hotline")(_check_hotline)
    _zones = field_validator("zones")(_check_zones)


class ConsulateUpdate(InputBody):
    """Only the fields sent change; ``hotline: null`` removes the hotline, ``zones: []``
    every zone (the list sent replaces the old one)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"hotline": "+74951234567", "zones": ["BY", "AM"]}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    hotline: str | None = Field(default=None, max_length=20)
    time_zone: str | None = Field(default=None, max_length=64)
    kind: Kind | None = None
    zones: Zones | None = None

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else _check_time_zone(value)

    _hotline = field_validator("hotline")(_check_hotline)
    _zones = field_validator("zones")(_check_zones)
