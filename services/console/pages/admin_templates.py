"""Administration: SMS templates, edited per language with a live preview of the text
being typed (its encoding and number of SMS segments) and the service's complaints next
to the text."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import read_form
from services.console.i18n import N_
from services.console.rendering import flash, gettext, render
from services.console.session import StaffUser, roles

router = APIRouter(prefix="/admin", dependencies=[Depends(check_csrf)])
Admin = roles("admin")
Key = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Language = Annotated[str, Path(pattern=r"^[a-z]{2}$")]
SAVED = N_("The template is saved.")
STALE = N_(
    "Someone else saved a new version after you opened it. It reads: “%(body)s”. "
    "Saving again replaces it with yours."
)


def _params(values: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("p_"): v for k, v in values.items() if k.startswith("p_") and v}


def _reason(problem: ApiProblem) -> str:
    errors = problem.field_errors()
    return errors.get("body") or next(iter(errors.values()), "") or problem.detail


@router.get("/templates")
async def templates(request: Request, api: UserApi, user: StaffUser = Admin) -> Response:
    return await _page(request, api)


async def _page(
    request: Request, api: UserApi, edited: dict[str, Any] | None = None, status: int = 200
) -> Response:
    answer = await api.get("notifications", "/v1/templates")
    return render(
        request,
        "pages/templates.html",
        {"templates": answer["items"], "edited": edited or {}},
        status=status,
    )


@router.post("/templates/{key}/{language}/preview")
async def preview(
    request: Request, key: Key, language: Language, api: UserApi, user: StaffUser = Admin
) -> Response:
    """The text being typed, rendered with the sample values typed (htmx, as you type)."""
    sent = await read_form(request)
    draft = {"body": sent.values.get("body", ""), "params": _params(sent.values)}
    try:
        answer = await api.send("POST", "notifications", "/v1/templates/preview", draft)
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return render(request, "partials/preview.html", {"error": _reason(problem)})
    return render(request, "partials/preview.html", {"preview": answer.body})


@router.post("/templates/{key}/{language}")
async def save_template(
    request: Request, key: Key, language: Language, api: UserApi, user: StaffUser = Admin
) -> Response:
    sent = await read_form(request)
    body, version = sent.values.get("body", ""), sent.values.get("version", "")
    try:
        await api.send(
            "PUT",
            "notifications",
            f"/v1/templates/{key}/{language}",
            {"body": body},
            etag=f'W/"{version}"',
        )
    except ApiProblem as problem:
        if problem.status not in (412, 422):
            raise
        edited = {"key": key, "language": language, "body": body, "version": version}
        if problem.status == 412:
            current = await api.get("notifications", f"/v1/templates/{key}/{language}")
            # The form is now at their version: sending again overwrites it.
            edited["version"] = str(current["version"])
            edited["error"] = gettext(request, STALE) % {"body": current["body"]}
        else:
            edited["error"] = _reason(problem)
        return await _page(request, api, edited, problem.status)
    flash(request, SAVED)
    return RedirectResponse(f"/admin/templates#t-{key}-{language}", status_code=303)
