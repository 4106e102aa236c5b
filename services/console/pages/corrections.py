"""Correcting a movement (registrars): a form pre-filled with the movement as recorded
and a required reason; only the fields changed are sent, the registry appends the
corrected row and keeps the old one, marked superseded. The person record shows each
correction: who, when, why, old → new."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import Api, ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import FORM_ERROR, Field, FormSpec, errors_from, read_form, render_form
from services.console.i18n import N_
from services.console.pages.registration import RETURN, back_to, departure_spec
from services.console.rendering import flash, language_of
from services.console.session import StaffUser, roles

router = APIRouter(dependencies=[Depends(check_csrf)])
Registrar = roles("registrar")

DATE = Field("date", N_("Date"), "date", True, attrs={"max": "9999-12-31"})
REASON = Field(
    "reason",
    N_("Reason for the correction"),
    "textarea",
    True,
    hint=N_("Why the record was wrong, for whoever reads it later"),
    attrs={"maxlength": "500"},
)
# The registry's name for each form field, where they differ (a return's reason).
RENAMED = {"return_reason": "reason"}
ALREADY_CORRECTED = "movement-already-corrected"
STALE = N_(
    "Someone else corrected this movement after you opened it. "
    "Go back to the person to see the correction, and correct its replacement if needed."
)


def correction_spec(kind: str, language: str, home: str) -> FormSpec:
    """The registration form's fields under the registry's correction names, then the reason."""
    if kind == "departure":
        fields = departure_spec(language, home).fields[1:]
    else:
        reason = replace(RETURN.fields[1], name="return_reason")
        fields = (reason, *RETURN.fields[2:])
    return FormSpec(
        N_("Correct a movement"),
        N_("Save the correction"),
        done=N_("The correction is saved."),
        fields=(DATE, *fields, REASON),
    )


def recorded(movement: dict[str, Any], spec: FormSpec) -> dict[str, str]:
    """The movement's values as the form shows them."""
    values: dict[str, str] = {}
    for f in spec.fields:
        if f is not REASON:
            value = movement.get(RENAMED.get(f.name, f.name))
            values[f.name] = "" if value is None else str(value)
    return values


def changes_from(sent: dict[str, str], was: dict[str, str]) -> dict[str, Any]:
    """Only what the user changed; a field emptied is sent as null (the registry says
    which ones may not be)."""
    return {name: sent.get(name) or None for name, old in was.items() if sent.get(name, "") != old}


def _spec(request: Request, movement: dict[str, Any]) -> FormSpec:
    country = request.app.state.settings.country
    return correction_spec(movement["kind"], language_of(request), country)


async def _movement(api: Api, person_id: uuid.UUID, movement_id: uuid.UUID) -> dict[str, Any]:
    answer = await api.get(
        "registry", f"/v1/persons/{person_id}/movements", {"include_superseded": "true"}
    )
    for movement in answer["items"]:
        if movement["id"] == str(movement_id):
            found: dict[str, Any] = movement
            return found
    raise ApiProblem(404, {"title": "Not Found", "detail": "No such movement."})


@router.get("/persons/{person_id}/movements/{movement_id}/correct")
async def correct_form(
    request: Request,
    person_id: uuid.UUID,
    movement_id: uuid.UUID,
    api: UserApi,
    user: StaffUser = Registrar,
) -> Response:
    movement = await _movement(api, person_id, movement_id)
    spec = _spec(request, movement)
    return render_form(
        request,
        spec,
        action=request.url.path,
        values=recorded(movement, spec),
        errors={FORM_ERROR: STALE} if movement["superseded"] else None,
        back=await back_to(api, person_id),
    )


@router.post("/persons/{person_id}/movements/{movement_id}/correct")
async def save_correction(
    request: Request,
    person_id: uuid.UUID,
    movement_id: uuid.UUID,
    api: UserApi,
    user: StaffUser = Registrar,
) -> Response:
    movement = await _movement(api, person_id, movement_id)
    spec = _spec(request, movement)
    sent = await read_form(request)
    body = {
        "reason": sent.values.get("reason", ""),
        "changes": changes_from(sent.values, recorded(movement, spec)),
    }
    try:
        await api.send(
            "POST",
            "registry",
            f"/v1/persons/{person_id}/movements/{movement_id}/corrections",
            body,
            idempotency_key=sent.idempotency_key,
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        stale = str(problem.problem.get("type", "")).endswith(ALREADY_CORRECTED)
        return render_form(
            request,
            spec,
            action=request.url.path,
            values=sent.values,
            errors={FORM_ERROR: STALE} if stale else errors_from(problem, spec.fields),
            status=problem.status,
            back=await back_to(api, person_id),
        )
    flash(request, spec.done)
    return RedirectResponse(f"/persons/{person_id}", status_code=303)


def split_history(
    movements: list[dict[str, Any]], language: str, home: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The movements in force, and each correction (newest first): who, when, why and
    the fields it changed, old → new (none when the movement was withdrawn)."""
    by_id = {m["id"]: m for m in movements}
    history: list[dict[str, Any]] = []
    for old in movements:
        if old["superseded"]:
            new = by_id.get(old["superseded_by"])
            spec = correction_spec(old["kind"], language, home)
            history.append({"old": old, "new": new, "changed": _changed(old, new, spec)})
    history.sort(key=lambda c: str(c["old"]["superseded_at"]), reverse=True)
    return [m for m in movements if not m["superseded"]], history


def _changed(
    old: dict[str, Any], new: dict[str, Any] | None, spec: FormSpec
) -> list[tuple[str, str, str, str]]:
    """(label, field, old value, new value) for each field a correction changed."""
    if new is None:  # withdrawn
        return []
    was, now = recorded(old, spec), recorded(new, spec)
    return [
        (f.label, f.name, was[f.name], now[f.name])
        for f in spec.fields
        if f.name in now and was[f.name] != now[f.name]
    ]
