"""Vulnerability markers in the console.

Shown, as a restrained badge with its history, only to those the registry lets read
them (a consular supervisor; an officer whose consulate has an open case for the
person): the console asks only for officers and supervisors and shows nothing at all
when the registry says 404, so everyone else sees the same page whether or not the
person is marked. Registrars record markers but cannot read them back: the form says
so and the person page confirms "recorded" without listing anything. Supervisors,
who see them, may withdraw one with a reason.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import Api, ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import (
    Field,
    FormSpec,
    body_from,
    coded,
    errors_from,
    read_form,
    render_form,
)
from services.console.i18n import N_
from services.console.labels import MARKER_KINDS
from services.console.navigation import OFFICERS
from services.console.rendering import flash, gettext
from services.console.session import StaffUser, roles

router = APIRouter(dependencies=[Depends(check_csrf)])
Recorder = roles("registrar")
# The registry lets registrars withdraw too, but they cannot list markers to find one.
Withdrawer = roles("consular_supervisor")
WITHDRAWERS = ("consular_supervisor",)
MarkerView = dict[str, Any]


async def visible_markers(
    api: Api, user: StaffUser, person_id: str | None, names: dict[str, str] | None = None
) -> MarkerView | None:
    """What the user may see of the person's markers, or None: show nothing."""
    if person_id is None or not user.has_role(*OFFICERS):
        return None
    path = f"/v1/persons/{person_id}/markers"
    try:
        answer = await api.get("registry", path, {"state": "all"})
    except ApiProblem as problem:
        if problem.status == 404:  # no right to read (or no such person): nothing shown
            return None
        if problem.status == 503:
            return {"unavailable": True, "active": [], "withdrawn": [], "person_id": person_id}
        raise
    items: list[dict[str, Any]] = answer["items"]
    if not items:
        return None
    if names is None and any(m["family_member_id"] for m in items):
        names = _names(await api.get("registry", f"/v1/persons/{person_id}/family-members"))
    return {
        "active": [m for m in items if not m["withdrawn_at"]],
        "withdrawn": [m for m in items if m["withdrawn_at"]],
        "names": names or {},
        "person_id": person_id,
        "may_withdraw": user.has_role(*WITHDRAWERS),
    }


def _names(family: dict[str, Any]) -> dict[str, str]:
    return {m["id"]: f"{m['last_name']} {m['first_name']}" for m in family["items"]}


def marker_spec(request: Request, person: dict[str, Any], family: list[dict[str, Any]]) -> FormSpec:
    migrant = gettext(request, "%(name)s (the migrant)") % {
        "name": f"{person['last_name']} {person['first_name']}"
    }
    whom = [("", migrant)] + [(m["id"], f"{m['last_name']} {m['first_name']}") for m in family]
    return FormSpec(
        N_("Record a vulnerability marker"),
        N_("Record the marker"),
        done=N_(
            "The marker is recorded. Consular supervisors, and officers of a consulate "
            "with an open case for the person, will see it."
        ),
        fields=(
            Field("kind", N_("Kind"), "select", True, coded(MARKER_KINDS), coded=True),
            Field("family_member_id", N_("Whom it concerns"), "select", True, whom),
            Field(
                "note",
                N_("Note (optional)"),
                "textarea",
                hint=N_("Only what those who protect the person need to know."),
                attrs={"maxlength": "2000"},
            ),
        ),
    )


async def _form_parts(
    request: Request, api: Api, person_id: uuid.UUID
) -> tuple[FormSpec, dict[str, Any]]:
    person = await api.get("registry", f"/v1/persons/{person_id}")
    family = (await api.get("registry", f"/v1/persons/{person_id}/family-members"))["items"]
    name = f"{person['last_name']} {person['first_name']}"
    extra = {
        "back": {"href": f"/persons/{person_id}", "text": name},
        "intro": gettext(
            request,
            "Only consular supervisors, and officers of a consulate with an open case for "
            "the person, see markers. Once it is recorded you will not see it here.",
        ),
    }
    return marker_spec(request, person, family), extra


@router.get("/persons/{person_id}/markers/new")
async def new_marker(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Recorder
) -> Response:
    spec, extra = await _form_parts(request, api, person_id)
    return render_form(request, spec, action=f"/persons/{person_id}/markers/new", **extra)


@router.post("/persons/{person_id}/markers/new")
async def record_marker(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = Recorder
) -> Response:
    spec, extra = await _form_parts(request, api, person_id)
    sent = await read_form(request)
    try:
        await api.send(
            "POST",
            "registry",
            f"/v1/persons/{person_id}/markers",
            body_from(sent.values, spec.fields),
            idempotency_key=sent.idempotency_key,
        )
    except ApiProblem as problem:
        if problem.status not in (404, 409, 422):
            raise
        return render_form(
            request,
            spec,
            action=f"/persons/{person_id}/markers/new",
            values=sent.values,
            errors=errors_from(problem, spec.fields),
            status=problem.status,
            **extra,
        )
    flash(request, spec.done)
    return RedirectResponse(f"/persons/{person_id}", status_code=303)


@router.post("/persons/{person_id}/markers/{marker_id}/withdrawal")
async def withdraw_marker(
    request: Request,
    person_id: uuid.UUID,
    marker_id: uuid.UUID,
    api: UserApi,
    user: StaffUser = Withdrawer,
) -> Response:
    sent = await read_form(request)
    back = _back(person_id, sent.values.get("case_id", ""))
    try:
        await api.send(
            "POST",
            "registry",
            f"/v1/persons/{person_id}/markers/{marker_id}/withdrawal",
            {"reason": sent.values.get("reason", "")},
            idempotency_key=sent.idempotency_key,
        )
    except ApiProblem as problem:
        if problem.status not in (404, 409, 422):
            raise
        flash(request, WITHDRAWAL_PROBLEMS.get(problem.status, WITHDRAWAL_PROBLEMS[422]))
        return RedirectResponse(back, status_code=303)
    flash(request, N_("The marker is withdrawn."))
    return RedirectResponse(back, status_code=303)


WITHDRAWAL_PROBLEMS = {
    404: N_("This marker is no longer there."),
    409: N_("This marker was already withdrawn."),
    422: N_("Give the reason for withdrawing the marker."),
}


def _back(person_id: uuid.UUID, case_id: str) -> str:
    """Back to the case the form was on, else the person (never a URL from the form)."""
    try:
        return f"/cases/{uuid.UUID(case_id)}"
    except ValueError:
        return f"/persons/{person_id}"
