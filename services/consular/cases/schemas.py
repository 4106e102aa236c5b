"""Case bodies (requests and responses)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import phonenumbers
import pycountry
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from services.consular.cases.sla import ClockState, SlaState
from services.consular.cases.workflow import CaseCategory, CaseStatus, Priority, Resolution
from shared.openapi import NamedEnum
from shared.schemas import FreeText, InputBody

ReportedBy = Annotated[
    Literal["self", "family", "employer", "ngo", "host_authority", "hotline"],
    NamedEnum("ReportedBy", "Who told the consulate about the case."),
]
ConsulateCode = Field(pattern=r"^[A-Z]{2}-[A-Z]{3}$", examples=["RU-MOW"])
Text = Field(min_length=1, max_length=4000)


def strip_required(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def check_e164(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number in E.164 form (+996555123456)") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_country(value: str) -> str:
    if pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return value.upper()


class PersonDetails(InputBody):
    """Someone not yet in the registry; link them later with ``link-person``."""

    last_name: str = Field(min_length=1, max_length=100)
    first_name: str = Field(min_length=1, max_length=100)
    pin: str | None = Field(default=None, pattern=r"^[0-9]{14}$")
    phone: str | None = Field(default=None, max_length=20)

    _names = field_validator("last_name", "first_name")(strip_required)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else check_e164(value)


class Location(InputBody):
    country: str = Field(min_length=2, max_length=2, examples=["RU"])
    city: str | None = Field(default=None, max_length=100, examples=["Moscow"])

    _country = field_validator("country")(check_country)


class CaseCreate(InputBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "consulate": "RU-MOW",
                    "person_id": "3f0c1a52-8d7e-4c39-9d55-1c1f0e6f2a11",
                    "category": "wage_theft",
                    "priority": "high",
                    "description": "Employer has not paid wages for three months.",
                    "reported_by": "family",
                    "location": {"country": "RU", "city": "Moscow"},
                    "notify_family": True,
                }
            ]
        }
    )

    consulate: str = Field(
        pattern=r"^[A-Z]{2}-[A-Z]{3}$",
        examples=["RU-MOW"],
        description="The consulate that works the case; officers may name only their own",
    )
    person_id: uuid.UUID | None = Field(
        default=None, description="A registered person (checked with the registry)"
    )
    person: PersonDetails | None = Field(
        default=None, description="Or: details of someone not yet registered (not both)"
    )
    category: CaseCategory
    priority: Priority
    description: FreeText = Field(min_length=1, max_length=10_000, description="What happened")
    reported_by: ReportedBy | None = None
    location: Location | None = Field(default=None, description="Where the person is now")
    notify_family: StrictBool = Field(
        default=False,
        description="Send the family a templated SMS; refused (422) for sensitive categories "
        "(death, trafficking, violence, missing_person)",
    )

    _description = field_validator("description")(strip_required)

    @model_validator(mode="after")
    def _one_person(self) -> CaseCreate:
        if (self.person_id is None) == (self.person is None):
            # Raised as a ValidationError located on ``person_id`` so the 422 names it.
            detail = InitErrorDetails(
                type=PydanticCustomError(
                    "person_exclusive",
                    "send either person_id (a registered person) or person (details of "
                    "someone not yet registered), not both and not neither",
                ),
                loc=("person_id",),
                input=self.person_id,
            )
            raise ValidationError.from_exception_data(type(self).__name__, [detail])
        return self


class PersonOut(BaseModel):
    last_name: str | None
    first_name: str | None
    pin: str | None
    phone: str | None


SLA_STATE = Field(
    description=(
        "Where the case stands against its SLA deadline. Live cases: `green` (less than "
        "half the SLA used), `amber` (half or more used, not yet due), `red` (past "
        "`due_at`; also while paused, so an overdue case cannot hide behind a pause), "
        "`paused` (awaiting information from others and not overdue: the clock is "
        "stopped and `due_at` moves out by the time waited; `sla.clock_state` says "
        "whether it was green or amber). Finished (resolved or closed) cases: `met` "
        "(finished no later than `due_at`) or `breached` (finished after it)."
    ),
    examples=["green"],
)


class SlaOut(BaseModel):
    state: SlaState = SLA_STATE
    clock_state: ClockState | None = Field(
        description=(
            "The three-colour reading of a live case, pause or not: `green`, `amber` "
            "(half the SLA used) or `red` (overdue). A paused case keeps the colour it "
            "had when its clock stopped. Null once the case is resolved or closed."
        ),
        examples=["amber"],
    )
    due_at: datetime
    budget_hours: float
    paused_seconds: int = Field(
        description=(
            "Time the clock stood still: awaiting information from others, and time "
            "spent resolved before a reopen"
        )
    )
    active_seconds: int = Field(description="Time the SLA clock has run")


class CaseOut(BaseModel):
    id: uuid.UUID
    case_number: str = Field(examples=["RU-MOW-2026-000042"])
    consulate: str
    status: CaseStatus
    category: CaseCategory
    priority: Priority
    priority_reason: str | None = Field(
        default=None,
        description="Why the priority is not lower (a vulnerability marker on the person); "
        "shown only to supervisors and to officers while the case is open",
    )
    description: str
    reported_by: ReportedBy | None
    location: Location | None
    person_id: uuid.UUID | None
    person: PersonOut
    resolution: Resolution | None
    assignee: str | None
    notify_family: bool = Field(
        description="The family-notification intent of the current resolution (while "
        "resolved or closed) or of the opening (before any resolution); reopening "
        "withdraws it, and each resolution carries only its own"
    )
    opened_by: str
    opened_at: datetime
    updated_at: datetime
    due_at: datetime
    sla_state: SlaState = SLA_STATE
    sla: SlaOut
    allowed_transitions: list[CaseStatus] = Field(
        description="Statuses you may move this case to next"
    )
    version: int


class OfficerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject: str = Field(description="The officer's identity, as `assignee` takes it")
    last_seen_at: datetime = Field(description="When they last changed a case")


class OfficerList(BaseModel):
    items: list[OfficerOut]


class CaseList(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None = None


class TransitionIn(InputBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"to": "resolved", "resolution": "wages_recovered", "note": "Paid in full."}
            ]
        }
    )

    to: CaseStatus = Field(description="The next status; the operation lists the allowed moves")
    note: FreeText | None = Field(
        default=None, max_length=4000, description="Why, for the timeline (at most 4000)"
    )
    resolution: Resolution | None = Field(
        default=None, description="Required when `to` is `resolved`; refused otherwise"
    )
    notify_family: StrictBool = Field(
        default=False, description="On `resolved` only: send the family a templated SMS"
    )


class NoteIn(InputBody):
    text: FreeText = Text

    _text = field_validator("text")(strip_required)


class AssignmentIn(InputBody):
    assignee: str = Field(min_length=1, max_length=200, examples=["officer.asanov"])


class LinkPersonIn(InputBody):
    person_id: uuid.UUID


class TransferIn(InputBody):
    consulate: str = ConsulateCode
    reason: FreeText = Text

    _reason = field_validator("reason")(strip_required)


EventKind = Literal[
    "created",
    "transition",
    "note",
    "assignment",
    "referral",
    "referral_status",
    "person_linked",
    "transferred",
    "family_notification_requested",
    "family_sms",
    "family_sms_not_sent",
    "follow_up_task",
    "person_returned",
]


class TimelineEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: EventKind
    at: datetime
    actor: str
    actor_role: str
    data: dict[str, Any]


class Timeline(BaseModel):
    items: list[TimelineEventOut]
    next_cursor: str | None = None


class CaseStatusOut(BaseModel):
    """What a family may learn by texting the case number: nothing more."""

    case_number: str
    status: CaseStatus
    updated_at: datetime
    consulate: str
    hotline: str | None
    person_id: uuid.UUID | None
