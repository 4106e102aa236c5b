"""Edit a person with the ETag read: when someone else saved first, say so and show
both versions side by side; sending again then deliberately overwrites theirs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import Field, FormSpec, errors_from, read_form, render_form
from services.console.i18n import N_
from services.console.pages.registration import PIN_ATTRS, person_spec
from services.console.rendering import flash
from services.console.session import StaffUser, roles

router = APIRouter(dependencies=[Depends(check_csrf)])
Registrar = roles("registrar")
# Fields a person may lose (sent as null when emptied); the rest are required.
NULLABLE = frozenset({"patronymic", "last_name_latin", "first_name_latin", "phone", "locality"})


def edit_spec(country: str) -> FormSpec:
    # The PIN's live duplicate check would find this very person: a plain field here.
    fields = [
        replace(f, attrs=PIN_ATTRS, live=False) if f.name == "pin" else f
        for f in person_spec(country).fields
    ]
    return FormSpec(
        N_("Edit the person"),
        N_("Save"),
        done=N_("The changes are saved."),
        fields=(*fields, Field("version", "", "hidden")),
    )


def as_values(person: dict[str, Any]) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in person.items()}


def patch_body(values: dict[str, str], spec: FormSpec) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in spec.fields:
        if f.kind == "hidden":
            continue
        if values.get(f.name):
            body[f.name] = values[f.name]
        elif f.name in NULLABLE:
            body[f.name] = None
    return body


@router.get("/persons/{person_id}/edit")
async def edit_person(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    person = await api.get("registry", f"/v1/persons/{person_id}")
    spec = edit_spec(request.app.state.settings.country)
    return render_form(
        request,
        spec,
        action=f"/persons/{person_id}/edit",
        values=as_values(person),
        back=_back(person),
    )


@router.post("/persons/{person_id}/edit")
async def save_person(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Registrar
) -> Response:
    spec = edit_spec(request.app.state.settings.country)
    sent = await read_form(request)
    action = f"/persons/{person_id}/edit"
    try:
        await api.send(
            "PATCH",
            "registry",
            f"/v1/persons/{person_id}",
            patch_body(sent.values, spec),
            etag=f'W/"{sent.values.get("version", "")}"',
        )
    except ApiProblem as problem:
        if problem.status == 412:
            return await _conflict(request, api, person_id, spec, sent.values)
        if problem.status not in (409, 422):
            raise
        return render_form(
            request,
            spec,
            action=action,
            values=sent.values,
            errors=errors_from(problem, spec.fields),
            status=problem.status,
        )
    flash(request, spec.done)
    return RedirectResponse(f"/persons/{person_id}", status_code=303)


async def _conflict(
    request: Request,
    api: UserApi,
    person_id: uuid.UUID,
    spec: FormSpec,
    yours: dict[str, str],
) -> Response:
    current = as_values(await api.get("registry", f"/v1/persons/{person_id}"))
    differences = [
        (f.label, current.get(f.name, ""), yours.get(f.name, ""))
        for f in spec.fields
        if f.kind != "hidden" and current.get(f.name, "") != yours.get(f.name, "")
    ]
    # Their version becomes the one this form was read at: sending again overwrites it.
    values = {**yours, "version": current["version"]}
    return render_form(
        request,
        spec,
        action=f"/persons/{person_id}/edit",
        values=values,
        status=412,
        conflict=differences,
        back=_back(current),
    )


def _back(person: dict[str, Any]) -> dict[str, str]:
    return {
        "href": f"/persons/{person['id']}",
        "text": f"{person['last_name']} {person['first_name']}",
    }
