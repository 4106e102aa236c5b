"""The language switcher: the choice is remembered in a cookie for a year."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from services.console.i18n import COOKIE, LANGUAGES
from services.console.signin.router import safe_next

router = APIRouter()


@router.get("/language/{code}")
async def choose(code: str, next: str = "/") -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
