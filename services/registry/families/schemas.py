"""Family member bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.registry.persons.schemas import (
    PIN_DESCRIPTION,
    PIN_PATTERN,
    CyrillicName,
    Language,
    Sex,
)
from shared.openapi import NamedEnum
from shared.schemas import InputBody as Body
from shared.schemas import IsoDate, IsoDateTime

Relation = Annotated[
    Literal["spouse", "child", "parent", "sibling", "guardian", "other"],
    NamedEnum("Relation", "How the family member is related to the migrant."),
]
ConsentMethod = Annotated[
    Literal["in_person", "written", "phone", "sms"],
    NamedEnum("ConsentMethod", "How SMS consent was given."),
]


class FamilyMemberCreate(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "relation": "spouse",
                    "last_name": "Абдыкадырова",
                    "first_name": "Айгүл",
                    "birth_date": "1992-05-20",
                    "sex": "F",
                    "phone": "0700 123 456",
                    "language": "ky",
                    "sms_consent": True,
                    "sms_consent_method": "in_person",
                }
            ]
        },
    )

    relation: Relation
    last_name: str = CyrillicName
    first_name: str = CyrillicName
    birth_date: IsoDate
    sex: Sex | None = None
    pin: str | None = Field(
        default=None,
        max_length=32,
        description=PIN_DESCRIPTION,
        json_schema_extra={"pattern": PIN_PATTERN},
    )
    phone: str | None = Field(default=None, max_length=32, description="Any common format")
    language: Language = "ky"
    sms_consent: StrictBool = Field(
        default=False, description="Agreed to receive SMS about the migrant"
    )
    sms_consent_method: ConsentMethod | None = Field(
        default=None, description="How consent was given (default in_person)"
    )
    sms_consent_given_at: IsoDateTime | None = Field(
        default=None, description="When consent was given (default now)"
    )
    caregiver_id: uuid.UUID | None = Field(
        default=None, description="For a minor child: the family member who looks after them"
    )


class FamilyMemberUpdate(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"caregiver_id": "6f1c4f9e-8a53-4c55-9d0b-2a5a7c1d9e10"}]},
    )

    phone: str | None = Field(default=None, max_length=32)
    language: Language | None = None
    caregiver_id: uuid.UUID | None = None
    sms_consent: Literal[True] | None = Field(
        default=None, description="Give consent (again); withdraw with consent-withdrawals"
    )
    sms_consent_method: ConsentMethod | None = None


class ConsentWithdrawal(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Asked by phone to stop"}]}
    )

    reason: str | None = Field(default=None, max_length=500)


class Consent(BaseModel):
    given_at: dt.datetime | None
    method: ConsentMethod | None
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str | None = Field(
        default=None, description="Why consent was withdrawn, as the family member said"
    )


class FamilyMemberOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    relation: Relation
    last_name: str
    first_name: str
    birth_date: dt.date
    sex: Sex | None
    pin: str | None
    phone: str | None
    language: Language
    sms_consent: bool = Field(description="Consent given and not withdrawn")
    consent: Consent
    caregiver_id: uuid.UUID | None
    minor: bool
    at_risk: bool = Field(
        description="A minor child whose both parents are away (the other parent registered "
        "as away or not recorded) with no caregiver, or a caregiver who is a minor, over 75, "
        "or away too"
    )
    at_risk_reason: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class FamilyContact(BaseModel):
    family_member_id: uuid.UUID
    relation: Relation
    first_name: str
    phone: str
    language: Language


class AtRiskChild(BaseModel):
    family_member_id: uuid.UUID
    person_id: uuid.UUID
    last_name: str
    first_name: str
    birth_date: dt.date
    caregiver_id: uuid.UUID | None
    reason: str
    person_last_name: str
    person_first_name: str
    person_region: str
