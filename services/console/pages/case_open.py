"""Open a case: for a registered person (from the record) or someone not yet registered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import Field, FormSpec, coded, errors_from, read_form, render_form
from services.console.i18n import N_
from services.console.labels import CATEGORIES, PRIORITIES, REPORTERS
from services.console.navigation import OFFICERS
from services.console.rendering import flash
from services.console.session import StaffUser, roles

router = APIRouter(dependencies=[Depends(check_csrf)])
CaseWorker = roles(*OFFICERS)


def case_spec(consulates: list[str], registered: bool) -> FormSpec:
    person: tuple[Field, ...] = (
        (Field("person_id", "", "hidden"),)
        if registered
        else (
            Field("last_name", N_("Last name"), required=True),
            Field("first_name", N_("First name"), required=True),
            Field("pin", N_("PIN (14 digits), if known"), attrs={"inputmode": "numeric"}),
            Field("phone", N_("Phone, if known"), "tel"),
        )
    )
    return FormSpec(
        N_("Open a case"),
        N_("Open the case"),
        done=N_("The case is open."),
        fields=(
            *person,
            Field("consulate", N_("Consulate"), "select", True, [(c, c) for c in consulates]),
            Field("category", N_("Category"), "select", True, coded(CATEGORIES), coded=True),
            Field("priority", N_("Priority"), "select", True, coded(PRIORITIES), coded=True),
            Field("description", N_("What happened"), "textarea", True),
            Field("reported_by", N_("Reported by"), "select", options=coded(REPORTERS), coded=True),
            Field(
                "notify_family",
                N_("Send the family an SMS (never for sensitive categories)"),
                "checkbox",
            ),
        ),
    )


async def _consulates(api: UserApi, user: StaffUser) -> list[str]:
    if user.consulate:
        return [user.consulate]
    answer = await api.get("consular", "/v1/consulates")
    return [c["code"] for c in answer["items"]]


@router.get("/cases/new")
async def new_case(
    request: Request, api: UserApi, person_id: str = "", user: StaffUser = CaseWorker
) -> Response:
    values: dict[str, str] = {"priority": "normal"}
    back = None
    if person_id:
        person = await api.get("registry", f"/v1/persons/{person_id}")
        values["person_id"] = person["id"]
        back = {
            "href": f"/persons/{person['id']}",
            "text": f"{person['last_name']} {person['first_name']}",
        }
    spec = case_spec(await _consulates(api, user), bool(person_id))
    return render_form(request, spec, action="/cases/new", values=values, back=back)


@router.post("/cases/new")
async def open_case(request: Request, api: UserApi, user: StaffUser = CaseWorker) -> Response:
    sent = await read_form(request)
    registered = bool(sent.values.get("person_id"))
    spec = case_spec(await _consulates(api, user), registered)
    try:
        answer = await api.send(
            "POST",
            "consular",
            "/v1/cases",
            _body(sent.values, registered),
            idempotency_key=sent.idempotency_key,
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        return render_form(
            request,
            spec,
            action="/cases/new",
            values=sent.values,
            errors=errors_from(problem, spec.fields),
            status=problem.status,
        )
    flash(request, spec.done)
    return RedirectResponse(f"/cases/{answer.body['id']}", status_code=303)


def _body(values: dict[str, str], registered: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        k: values[k]
        for k in ("consulate", "category", "priority", "description", "reported_by")
        if values.get(k)
    }
    body["notify_family"] = values.get("notify_family") == "on"
    if registered:
        body["person_id"] = values["person_id"]
    else:
        body["person"] = {
            k: values[k] for k in ("last_name", "first_name", "pin", "phone") if values.get(k)
        }
    return body
