"""The sign-in page, development sign-in, and sign-out."""

from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import Api, ApiProblem, ApiUnavailable
from services.console.csrf import check_csrf
from services.console.form_errors import CHOOSE
from services.console.i18n import N_
from services.console.rendering import language_of, render
from services.console.session import STAFF_ROLES, StaffUser, sign_in, sign_out
from services.console.settings import ConsoleSettings
from shared.auth.claims import CONSULATE_CODE
from shared.auth.tokens import issue_token
from shared.countries import country_name
from shared.schemas import clean_text

router = APIRouter(dependencies=[Depends(check_csrf)])

DEV_TOKEN_SECONDS = 8 * 3600
ROLE_ERROR = N_("Choose a role; a consular officer also needs a consulate.")
NAME_ERROR = N_("Type the name again: it holds a character that cannot be stored.")


async def settings_of(request: Request) -> ConsoleSettings:
    settings: ConsoleSettings = request.app.state.settings
    return settings


Settings = Annotated[ConsoleSettings, Depends(settings_of)]


def safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host), and one that a
    page can be found at (no NUL or other control character)."""
    if target and target.startswith("/") and not target.startswith("//") and target.isprintable():
        return target
    return "/"


@router.get("/sign-in")
async def sign_in_page(request: Request, settings: Settings, next: str = "/") -> Response:
    consulates = await _dev_consulates(request, settings) if settings.dev_sign_in else []
    return render(
        request,
        "pages/sign_in.html",
        {
            "next": safe_next(next),
            "oidc": settings.oidc.enabled,
            "roles": STAFF_ROLES,
            "consulates": consulates,
        },
    )


@router.post("/sign-in/dev")
async def dev_sign_in(request: Request, settings: Settings) -> Response:
    if not settings.dev_sign_in:
        return render(request, "pages/error.html", {"status": 404}, status=404)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("role", "consulate", "name", "next")}
    errors, name = _dev_form_errors(values)
    if errors:
        return await _sign_in_form(request, settings, values, errors)
    role = values["role"]
    consulate = values["consulate"] if role == "consular_officer" else None
    subject = name[:100] or f"demo-{role}"
    token = issue_token(
        settings.auth,
        subject=subject,
        roles=[role],
        consulate=consulate,
        ttl_seconds=DEV_TOKEN_SECONDS,
    )
    user = StaffUser(
        subject=subject,
        name=subject,
        roles=frozenset([role]),
        consulate=consulate,
        token=token,
        expires_at=int(time.time()) + DEV_TOKEN_SECONDS,
    )
    await sign_in(request, user)
    return RedirectResponse(safe_next(values["next"]), status_code=303)


def _dev_form_errors(values: dict[str, str]) -> tuple[dict[str, str], str]:
    """Each field's error (a message to translate), and the cleaned name. The
    consulate must look like a code (as a token's claim must, or every page after
    would refuse the token); the name is stored as the session's subject."""
    errors: dict[str, str] = {}
    role, consulate = values["role"], values["consulate"]
    if role not in STAFF_ROLES or (role == "consular_officer" and not consulate):
        errors["role"] = ROLE_ERROR
    if consulate and not re.fullmatch(CONSULATE_CODE, consulate):
        errors["consulate"] = CHOOSE
    try:
        name = clean_text(values["name"])
    except ValueError:
        errors["name"] = NAME_ERROR
        name = ""
    return errors, name


async def _sign_in_form(
    request: Request, settings: ConsoleSettings, values: dict[str, str], errors: dict[str, str]
) -> Response:
    return render(
        request,
        "pages/sign_in.html",
        {
            "next": safe_next(values["next"]),
            "oidc": settings.oidc.enabled,
            "roles": STAFF_ROLES,
            "consulates": await _dev_consulates(request, settings),
            "errors": errors,
            "chosen": values,
        },
        status=422,
    )


@router.post("/sign-out")
async def sign_out_now(request: Request) -> Response:
    await sign_out(request)
    return RedirectResponse("/sign-in", status_code=303)


async def _dev_consulates(request: Request, settings: ConsoleSettings) -> list[tuple[str, str]]:
    """(code, "code — city, country") for the development picker, the country named in
    the user's language, read with a one-minute admin token."""
    token = issue_token(settings.auth, subject="console-sign-in", roles=["admin"], ttl_seconds=60)
    api = Api(client=request.app.state.http, urls=request.app.state.api_urls, token=token)
    try:
        answer = await api.get("consular", "/v1/consulates")
    except (ApiProblem, ApiUnavailable):
        return []
    language = language_of(request)
    return [
        (c["code"], f"{c['code']} — {c['city']}, {country_name(c['country'], language)}")
        for c in answer.get("items", [])
    ]
