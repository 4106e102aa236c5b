"""Registration forms: a person, a family member, a departure, a return (registrars)."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import Api, ApiProblem, UserApi
from services.console.classifications import ISCO_MAJOR_GROUPS, ISIC_SECTIONS
from services.console.csrf import check_csrf
from services.console.form_errors import pin_disagreements
from services.console.forms import (
    FORM_ERROR,
    Errors,
    Field,
    FormSpec,
    body_from,
    coded,
    errors_from,
    read_form,
    render_form,
)
from services.console.i18n import LANGUAGE_NAMES, N_
from services.console.labels import PURPOSES, RELATIONS, RETURN_REASONS
from services.console.reference import destinations, regions
from services.console.rendering import flash, language_of, render
from services.console.session import StaffUser, roles

router = APIRouter(dependencies=[Depends(check_csrf)])
Registrar = roles("registrar")

SEX = Field("sex", N_("Sex"), "select", True, coded(("F", "M")), coded=True)
LANGUAGE = Field(
    "language", N_("Preferred language"), "select", True, tuple(LANGUAGE_NAMES.items())
)
DATE = {"max": "9999-12-31"}
PIN_ATTRS = {"inputmode": "numeric", "pattern": "[0-9]{14}", "maxlength": "14"}
# As the PIN is typed (and as the sex or birth date beside it change), the registry is
# asked whether it is already registered and whether it agrees with them.
PIN_LIVE = {
    **PIN_ATTRS,
    "hx-get": "/persons/pin-check",
    "hx-trigger": "input changed delay:400ms, change from:#f-sex, change from:#f-birth_date",
    "hx-include": "#f-sex, #f-birth_date",
    "hx-target": "#f-pin-live",
}
CYRILLIC_HINT = N_("In Cyrillic, as in the passport")
# Asked of a person and of a family member alike.
NAMES = (
    Field("last_name", N_("Last name"), required=True, hint=CYRILLIC_HINT),
    Field("first_name", N_("First name"), required=True, hint=CYRILLIC_HINT),
)
BIRTH_DATE = Field("birth_date", N_("Birth date"), "date", True, attrs=DATE)


def person_spec(country: str) -> FormSpec:
    return FormSpec(
        N_("Register a person"),
        N_("Register"),
        done=N_("The person is registered."),
        fields=(
            Field(
                "pin",
                N_("PIN (14 digits)"),
                required=True,
                attrs=PIN_LIVE,
                live=True,
                hint=N_("First digit: 1 female, 2 male; then the birth date DDMMYYYY"),
            ),
            *NAMES,
            Field("patronymic", N_("Patronymic")),
            Field("last_name_latin", N_("Last name (Latin)"), attrs={"lang": "en"}),
            Field("first_name_latin", N_("First name (Latin)"), attrs={"lang": "en"}),
            # Live regions where the PIN check says what the PIN encodes instead.
            replace(SEX, live=True),
            replace(BIRTH_DATE, live=True),
            Field("phone", N_("Phone"), "tel", attrs={"autocomplete": "off"}),
            Field("region", N_("Home region"), "select", True, tuple(regions(country).items())),
            Field("locality", N_("Town or village")),
            LANGUAGE,
        ),
    )


def family_spec(members: list[dict[str, Any]]) -> FormSpec:
    carers = tuple((m["id"], f"{m['last_name']} {m['first_name']}") for m in members)
    return FormSpec(
        N_("Add a family member"),
        N_("Add"),
        done=N_("The family member is added."),
        fields=(
            Field("relation", N_("Relation"), "select", True, coded(RELATIONS), coded=True),
            *NAMES,
            BIRTH_DATE,
            Field("sex", N_("Sex"), "select", False, coded(("F", "M")), coded=True),
            Field("pin", N_("PIN (14 digits)"), attrs=PIN_ATTRS),
            Field("phone", N_("Phone"), "tel"),
            LANGUAGE,
            Field("sms_consent", N_("Agrees to receive SMS about the migrant"), "checkbox"),
            Field("caregiver_id", N_("Cared for by (for a child)"), "select", options=carers),
        ),
    )


def departure_spec(language: str, home: str) -> FormSpec:
    """Destinations named in the user's language, the common ones first; sector and
    occupation chosen by name (the registry takes their ISIC and ISCO codes)."""
    return FormSpec(
        N_("Register a departure"),
        N_("Register the departure"),
        done=N_("The departure is registered."),
        fields=(
            Field("departed_on", N_("Departure date"), "date", True, attrs=DATE),
            Field(
                "destination_country",
                N_("Destination country"),
                "select",
                True,
                destinations(language, home),
                prompt=N_("Choose a country"),
            ),
            Field("destination_city", N_("City")),
            Field("purpose", N_("Purpose"), "select", options=coded(PURPOSES), coded=True),
            Field("employer", N_("Employer")),
            Field("sector", N_("Sector"), "select", options=ISIC_SECTIONS, translated=True),
            Field(
                "occupation",
                N_("Occupation"),
                "select",
                options=ISCO_MAJOR_GROUPS,
                translated=True,
            ),
            Field("contract_end", N_("Contract ends"), "date", attrs=DATE),
            Field("border_crossing", N_("Border crossing point")),
        ),
    )


def _departure(request: Request) -> FormSpec:
    return departure_spec(language_of(request), request.app.state.settings.country)


RETURN = FormSpec(
    N_("Register a return"),
    N_("Register the return"),
    done=N_("The return is registered."),
    fields=(
        Field("returned_on", N_("Return date"), "date", True, attrs=DATE),
        Field("reason", N_("Reason"), "select", True, coded(RETURN_REASONS), coded=True),
        Field("border_crossing", N_("Border crossing point")),
    ),
)


@router.get("/persons/pin-check")
async def pin_check(
    request: Request,
    api: UserApi,
    pin: str = "",
    sex: str = "",
    birth_date: str = "",
    user: StaffUser = Registrar,
) -> Response:
    """htmx: the person already registered under this PIN, if any (a read, audited),
    and where the PIN disagrees with the sex and birth date typed (the registry's rules)."""
    existing = check = None
    if re.fullmatch(r"[0-9]{14}", pin):
        found, check = await asyncio.gather(
            api.get("registry", "/v1/persons", {"pin": pin, "limit": 1}),
            _pin_agreement(api, pin, sex, birth_date),
        )
        existing = found["items"][0] if found["items"] else None
    return render(request, "partials/pin_check.html", {"existing": existing, "check": check})


async def _pin_agreement(api: Api, pin: str, sex: str, birth_date: str) -> dict[str, Any]:
    body = {"pin": pin}
    if sex in ("F", "M"):
        body["sex"] = sex
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", birth_date):
        body["birth_date"] = birth_date
    try:
        answer = await api.send("POST", "registry", "/v1/pin-checks", body)
    except ApiProblem as problem:
        if problem.status != 422:  # a date the browser let through but is not one
            raise
        body.pop("birth_date", None)
        answer = await api.send("POST", "registry", "/v1/pin-checks", body)
    result: dict[str, Any] = answer.body
    result["wrong"] = {p["field"] for p in result["problems"]}
    # What is wrong with a PIN that breaks the rules, in the user's words.
    result["said"] = pin_disagreements(result).get("pin") if not result["valid"] else None
    return result


@router.get("/persons/new")
async def new_person(request: Request, user: StaffUser = Registrar) -> Response:
    spec = person_spec(request.app.state.settings.country)
    return render_form(request, spec, action="/persons/new", values={"language": "ky"})


@router.post("/persons/new")
async def create_person(request: Request, api: UserApi, user: StaffUser = Registrar) -> Response:
    spec = person_spec(request.app.state.settings.country)
    sent = await read_form(request)
    try:
        answer = await api.send(
            "POST",
            "registry",
            "/v1/persons",
            body_from(sent.values, spec.fields),
            idempotency_key=sent.idempotency_key,
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        existing = problem.problem.get("id") if problem.status == 409 else None
        errors = await _all_errors(api, problem, spec, sent.values)
        if existing:
            errors = {FORM_ERROR: problem.detail, "pin": problem.detail}
        return render_form(
            request,
            spec,
            action="/persons/new",
            values=sent.values,
            errors=errors,
            status=problem.status,
            existing=existing,
        )
    flash(request, spec.done)
    return RedirectResponse(f"/persons/{answer.body['id']}", status_code=303)


async def _all_errors(
    api: Api, problem: ApiProblem, spec: FormSpec, values: dict[str, str]
) -> Errors:
    """The registry's field errors and, beside them, what its PIN check says: the
    registry stops at the first stage that fails (the fields' shapes, then the PIN),
    so a refused name would otherwise hide a PIN that disagrees until the next try."""
    errors = errors_from(problem, spec.fields)
    pin = values.get("pin", "")
    if problem.status != 422 or not pin or len(pin) > 32:
        return errors
    check = await _pin_agreement(api, pin, values.get("sex", ""), values.get("birth_date", ""))
    for name, message in pin_disagreements(check).items():
        if name == "pin" or name not in errors:
            errors[name] = message
    return errors


async def _family(api: UserApi, person_id: uuid.UUID) -> list[dict[str, Any]]:
    answer = await api.get("registry", f"/v1/persons/{person_id}/family-members")
    items: list[dict[str, Any]] = answer["items"]
    return items


def _back(person_id: uuid.UUID, person: dict[str, Any]) -> dict[str, str]:
    """The "← person" link above a form about one person."""
    return {
        "href": f"/persons/{person_id}",
        "text": f"{person['last_name']} {person['first_name']}",
    }


async def back_to(api: Api, person_id: uuid.UUID) -> dict[str, str]:
    """The "← person" link, the person read from the registry (corrections use it too)."""
    return _back(person_id, await api.get("registry", f"/v1/persons/{person_id}"))


@router.get("/persons/{person_id}/family/new")
async def new_member(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    person = await api.get("registry", f"/v1/persons/{person_id}")
    spec = family_spec(await _family(api, person_id))
    return render_form(
        request,
        spec,
        action=f"/persons/{person_id}/family/new",
        values={"language": person["language"]},
        back=_back(person_id, person),
    )


@router.post("/persons/{person_id}/family/new")
async def add_member(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    spec = family_spec(await _family(api, person_id))
    return await _submit(request, api, person_id, spec, "family-members", "family/new")


@router.get("/persons/{person_id}/departures/new")
async def new_departure(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    return render_form(
        request,
        _departure(request),
        action=f"/persons/{person_id}/departures/new",
        back=await back_to(api, person_id),
    )


@router.post("/persons/{person_id}/departures/new")
async def add_departure(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    spec = _departure(request)
    return await _submit(request, api, person_id, spec, "departures", "departures/new")


@router.get("/persons/{person_id}/returns/new")
async def new_return(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    return render_form(
        request,
        RETURN,
        action=f"/persons/{person_id}/returns/new",
        back=await back_to(api, person_id),
    )


@router.post("/persons/{person_id}/returns/new")
async def add_return(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    return await _submit(request, api, person_id, RETURN, "returns", "returns/new")


async def _submit(
    request: Request,
    api: UserApi,
    person_id: uuid.UUID,
    spec: FormSpec,
    resource: str,
    page: str,
) -> Response:
    sent = await read_form(request)
    try:
        await api.send(
            "POST",
            "registry",
            f"/v1/persons/{person_id}/{resource}",
            body_from(sent.values, spec.fields),
            idempotency_key=sent.idempotency_key,
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return render_form(
            request,
            spec,
            action=f"/persons/{person_id}/{page}",
            values=sent.values,
            errors=await _all_errors(api, problem, spec, sent.values),
            status=problem.status,
            back=await back_to(api, person_id),
        )
    flash(request, spec.done)
    return RedirectResponse(f"/persons/{person_id}", status_code=303)
