"""POST /v1/pin-checks: a PIN held against a sex and birth date while a form is typed."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.access import Registrar
from services.registry.clock import today
from services.registry.http import AppSettings
from services.registry.persons import service
from services.registry.persons.schemas import PinCheckIn, PinCheckOut

router = APIRouter(prefix="/pin-checks", tags=["persons"])


@router.post(
    "",
    response_model=PinCheckOut,
    summary="Check a PIN against a sex and birth date, saving nothing",
    description="The rules `POST /v1/persons` applies, answered field by field, for a "
    "registration form to show a disagreement while it is typed. Reads no record and "
    "writes nothing (a POST so the PIN stays out of URLs and their logs); `sex` and "
    "`birth_date` not given are not compared.",
)
async def check_pin(body: PinCheckIn, principal: Registrar, settings: AppSettings) -> PinCheckOut:
    return service.pin_check(body, today(settings))
