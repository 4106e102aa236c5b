"""Person request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registry.persons.pin import KG_PIN_RULES
from shared.openapi import NamedEnum
from shared.schemas import InputBody as Body
from shared.schemas import IsoDate

Sex = Annotated[Literal["F", "M"], NamedEnum("Sex", "F female, M male.")]
Language = Annotated[
    Literal["ky", "ru", "en"],
    NamedEnum("Language", "The language SMS are sent in: Kyrgyz, Russian or English."),
]
PersonStatus = Annotated[
    Literal["in_country", "abroad", "returned", "deceased", "missing"],
    NamedEnum(
        "PersonStatus",
        "Where the person is: `in_country` (never left), `abroad` (last movement a "
        "departure), `returned`, or reported `deceased` or `missing`.",
    ),
]
StatusEventKind = Annotated[
    Literal["deceased", "missing", "found"],
    NamedEnum("StatusEventKind", "What was reported: died, went missing, or was found."),
]
# The shape only; the sex digit, birth date and checks are validated by ``pin``.
PIN_PATTERN = rf"^[0-9]{{{KG_PIN_RULES.length}}}$"
PIN_DESCRIPTION = (
    f"National personal number: {KG_PIN_RULES.length} ASCII digits whose sex digit and "
    "birth date must agree with `sex` and `birth_date`."
)
# Kyrgyz and Russian Cyrillic letters (with Ө Ү Ң), apostrophes, spaces, hyphens.
CYRILLIC_NAME = r"^[А-ЯЁӨҮҢа-яёөүң][А-ЯЁӨҮҢа-яёөүң' -]*$"
CyrillicName = Field(
    min_length=1,
    max_length=100,
    pattern=CYRILLIC_NAME,
    description="Cyrillic letters (Kyrgyz Ө Ү Ң included), spaces, hyphens and apostrophes",
)
OptionalCyrillicName = Field(
    default=None,
    min_length=1,
    max_length=100,
    pattern=CYRILLIC_NAME,
    description="Cyrillic letters (Kyrgyz Ө Ү Ң included), spaces, hyphens and apostrophes",
)
LatinName = Field(
    default=None,
    min_length=1,
    max_length=100,
    pattern=r"^[A-Za-z][A-Za-z' -]*$",
    description="As written in the passport, Latin letters",
)
BIRTH_DATE = "ISO 8601 date (YYYY-MM-DD); must agree with the PIN"


class PersonCreate(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "pin": "21403199012345",
                    "last_name": "Абдыкадыров",
                    "first_name": "Нурлан",
                    "patronymic": "Бакытович",
                    "last_name_latin": "Abdykadyrov",
                    "first_name_latin": "Nurlan",
                    "sex": "M",
                    "birth_date": "1990-03-14",
                    "phone": "+996555123456",
                    "region": "KG-O",
                    "locality": "Кара-Суу",
                    "language": "ky",
                }
            ]
        },
    )

    pin: str = Field(
        max_length=32,
        description=PIN_DESCRIPTION,
        examples=["21403199012345"],
        json_schema_extra={"pattern": PIN_PATTERN},
    )
    last_name: str = CyrillicName
    first_name: str = CyrillicName
    patronymic: str | None = OptionalCyrillicName
    last_name_latin: str | None = LatinName
    first_name_latin: str | None = LatinName
    sex: Sex
    birth_date: IsoDate = Field(description=BIRTH_DATE)
    phone: str | None = Field(
        default=None, max_length=32, description="Any common format; stored as E.164"
    )
    region: str = Field(description="ISO 3166-2 code of the home region", examples=["KG-O"])
    locality: str | None = Field(default=None, max_length=120, description="Town or village")
    language: Language = "ky"


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    pin: str
    last_name: str
    first_name: str
    patronymic: str | None
    last_name_latin: str | None
    first_name_latin: str | None
    sex: Sex
    birth_date: date
    phone: str | None
    region: str
    locality: str | None
    language: Language
    status: PersonStatus
    status_date: date | None = Field(
        default=None, description="For deceased or missing: the date it happened"
    )
    status_source: str | None = Field(
        default=None, description="For deceased or missing: who reported it"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class PersonUpdate(Body):
    """Only the fields sent change; PIN, sex and birth date are re-checked together."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"phone": "0700 123 456", "locality": "Ош"}]},
    )

    pin: str | None = Field(
        default=None,
        max_length=32,
        description=PIN_DESCRIPTION,
        examples=["21403199012345"],
        json_schema_extra={"pattern": PIN_PATTERN},
    )
    last_name: str | None = OptionalCyrillicName
    first_name: str | None = OptionalCyrillicName
    patronymic: str | None = OptionalCyrillicName
    last_name_latin: str | None = LatinName
    first_name_latin: str | None = LatinName
    sex: Sex | None = None
    birth_date: IsoDate | None = Field(default=None, description=BIRTH_DATE)
    phone: str | None = Field(
        default=None, max_length=32, description="Any common format; stored as E.164; null clears"
    )
    region: str | None = Field(
        default=None, max_length=10, description="ISO 3166-2 code of the home region"
    )
    locality: str | None = Field(
        default=None, max_length=120, description="Town or village; null clears"
    )
    language: Language | None = None


# Fields a PATCH may set to null; the rest are required on a person.
NULLABLE_FIELDS = frozenset(
    {"patronymic", "last_name_latin", "first_name_latin", "phone", "locality"}
)


class StatusEventCreate(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "missing", "date": "2026-10-01", "source": "Consulate RU-MOW report"}
            ]
        },
    )

    status: StatusEventKind
    date: IsoDate = Field(description="When it happened (ISO 8601 date)")
    source: str = Field(min_length=1, max_length=200, description="Who reported it")


class StatusEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    status: StatusEventKind
    date: dt.date
    source: str
    recorded_by: str
    recorded_at: datetime
    person_status: PersonStatus = Field(
        description="The person's status after this event (in a list: now)"
    )


class PinCheckIn(Body):
    """A PIN to hold against the sex and birth date typed beside it (either may be left
    out while the form is being filled in)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"pin": "21403199012345", "sex": "F", "birth_date": "1990-03-14"}]
        },
    )

    pin: str = Field(max_length=32, description=PIN_DESCRIPTION, examples=["21403199012345"])
    sex: Sex | None = None
    birth_date: IsoDate | None = Field(default=None, description="ISO 8601 date (YYYY-MM-DD)")


class PinFactsOut(BaseModel):
    sex: Sex
    birth_date: date


class PinProblemOut(BaseModel):
    # pin: the PIN breaks the rules itself; sex, birth_date: the PIN says otherwise.
    field: Literal["pin", "sex", "birth_date"]
    reason: str


class PinCheckOut(BaseModel):
    """What ``POST /v1/persons`` would say about these values' PIN, without saving."""

    # The PIN follows the rules (length, sex digit, a real past birth date).
    valid: bool
    # Valid, and no given value disagrees with it.
    agrees: bool
    # What the PIN encodes, when valid.
    encoded: PinFactsOut | None
    problems: list[PinProblemOut]
