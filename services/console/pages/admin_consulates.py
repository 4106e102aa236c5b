"""Administration: consulates, and editing a consulate's hotline and zones (the
countries without a post of their own that it serves)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import FORM_ERROR, Field, FormSpec, read_form, render_form
from services.console.i18n import N_
from services.console.rendering import flash, gettext, render
from services.console.session import StaffUser, roles

router = APIRouter(prefix="/admin", dependencies=[Depends(check_csrf)])
Admin = roles("admin")
CODE = r"[A-Z]{2}-[A-Z]{3}"

SPEC = FormSpec(
    N_("Edit the consulate"),
    N_("Save"),
    done=N_("The consulate is saved."),
    fields=(
        Field(
            "hotline",
            N_("Hotline"),
            "tel",
            hint=N_("In international form, e.g. +74951234567. Leave empty for none."),
            attrs={"autocomplete": "off", "maxlength": "20"},
        ),
        Field(
            "zones",
            N_("Zones"),
            hint=N_(
                "Countries without a consulate of their own that this one serves: "
                "two-letter codes separated by commas, e.g. BY, AM."
            ),
            attrs={"autocomplete": "off", "maxlength": "300"},
        ),
        Field("version", "", "hidden"),
    ),
)
STALE = N_(
    "Someone else changed this consulate after you opened it. Saving again replaces "
    "their changes with yours."
)


def _values(consulate: dict[str, Any]) -> dict[str, str]:
    return {
        "hotline": consulate.get("hotline") or "",
        "zones": ", ".join(consulate.get("zones") or []),
        "version": str(consulate["version"]),
    }


def _body(values: dict[str, str]) -> dict[str, Any]:
    zones = [z for z in re.split(r"[\s,;]+", values.get("zones", "").upper()) if z]
    return {"hotline": values.get("hotline") or None, "zones": zones}


def field_errors(problem: ApiProblem, names: set[str]) -> dict[str, str]:
    """Each error on the field its first part names (``zones.0`` is on ``zones``)."""
    errors: dict[str, str] = {}
    for error in problem.problem.get("errors") or []:
        head = str(error.get("field", "")).split(".")[0]
        errors.setdefault(head if head in names else FORM_ERROR, str(error.get("reason", "")))
    return errors


def _errors(request: Request, problem: ApiProblem) -> dict[str, str]:
    if problem.status == 412:
        return {FORM_ERROR: gettext(request, STALE)}
    if problem.status == 409 and "zone" in problem.problem:
        return {"zones": problem.detail}
    return field_errors(problem, {"hotline", "zones"}) or {FORM_ERROR: problem.detail}


@router.get("/consulates")
async def consulates(request: Request, api: UserApi, user: StaffUser = Admin) -> Response:
    answer = await api.get("consular", "/v1/consulates")
    return render(request, "pages/consulates.html", {"consulates": answer["items"]})


@router.get("/consulates/{code}/edit")
async def edit_consulate(
    request: Request, code: str, api: UserApi, user: StaffUser = Admin
) -> Response:
    consulate = await _read(api, code)
    return _form(request, consulate, _values(consulate))


@router.post("/consulates/{code}/edit")
async def save_consulate(
    request: Request, code: str, api: UserApi, user: StaffUser = Admin
) -> Response:
    consulate = await _read(api, code)
    sent = await read_form(request)
    try:
        await api.send(
            "PATCH",
            "consular",
            f"/v1/consulates/{code}",
            _body(sent.values),
            etag=f'W/"{sent.values.get("version", "")}"',
        )
    except ApiProblem as problem:
        if problem.status not in (409, 412, 422):
            raise
        # After a 412 the form is at their version: sending again overwrites it.
        values = {**sent.values, "version": str(consulate["version"])}
        return _form(request, consulate, values, _errors(request, problem), problem.status)
    flash(request, SPEC.done)
    return RedirectResponse(f"/admin/consulates#c-{code}", status_code=303)


async def _read(api: UserApi, code: str) -> dict[str, Any]:
    if not re.fullmatch(CODE, code):
        raise ApiProblem(404, {"detail": "No such consulate."})
    consulate: dict[str, Any] = await api.get("consular", f"/v1/consulates/{code}")
    return consulate


def _form(
    request: Request,
    consulate: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render_form(
        request,
        SPEC,
        action=f"/admin/consulates/{consulate['code']}/edit",
        values=values,
        errors=errors,
        status=status,
        intro=f"{consulate['code']} · {consulate['name']}",
        back={"href": "/admin/consulates", "text": gettext(request, N_("Consulates"))},
    )
