"""The sign-in page, development sign-in, and sign-out."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import Api, ApiProblem, ApiUnavailable
from services.console.csrf import check_csrf
from services.console.rendering import language_of, render
from services.console.session import STAFF_ROLES, StaffUser, sign_in, sign_out
from services.console.settings import ConsoleSettings
from shared.auth.tokens import issue_token
from shared.countries import country_name

router = APIRouter(dependencies=[Depends(check_csrf)])

DEV_TOKEN_SECONDS = 8 * 3600


async def settings_of(request: Request) -> ConsoleSettings:
    settings: ConsoleSettings = request.app.state.settings
    return settings


Settings = Annotated[ConsoleSettings, Depends(settings_of)]


def safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host)."""
    if target and target.startswith("/") and not target.startswith("//"):
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
    role = str(form.get("role", ""))
    consulate = str(form.get("consulate", "")) or None
    if role not in STAFF_ROLES or (role == "consular_officer" and not consulate):
        return render(
            request,
            "pages/sign_in.html",
            {
                "next": safe_next(str(form.get("next", "/"))),
                "oidc": settings.oidc.enabled,
                "roles": STAFF_ROLES,
                "consulates": await _dev_consulates(request, settings),
                "error": "role",
            },
            status=422,
        )
    subject = str(form.get("name", "")).strip()[:100] or f"demo-{role}"
    token = issue_token(
        settings.auth,
        subject=subject,
        roles=[role],
        consulate=consulate if role == "consular_officer" else None,
        ttl_seconds=DEV_TOKEN_SECONDS,
    )
    user = StaffUser(
        subject=subject,
        name=subject,
        roles=frozenset([role]),
        consulate=consulate if role == "consular_officer" else None,
        token=token,
        expires_at=int(time.time()) + DEV_TOKEN_SECONDS,
    )
    await sign_in(request, user)
    return RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)


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
