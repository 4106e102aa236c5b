"""What a user sees when something goes wrong: a page in their language, never a trace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from services.console.api import ApiProblem, ApiUnavailable
from services.console.csrf import CsrfRefused
from services.console.i18n import N_
from services.console.rendering import gettext, is_htmx, render
from services.console.session import RoleRequired, SignInRequired, sign_out
from shared.middleware import has_nul

NUL_IN_ADDRESS = N_(
    "The address holds a character that cannot be searched for or stored (a NUL). "
    "Check the link, or type the search again."
)

MESSAGES = {
    403: N_("You do not have access to this page."),
    404: N_("Not found, or not in your jurisdiction."),
    409: N_("This conflicts with the current state of the record."),
    503: N_("A service is not answering just now. Try again in a minute."),
}


def _sign_in_redirect(request: Request) -> Response:
    # Quoted: the path may hold any character, a header only ASCII (the HX-Redirect).
    target = "/sign-in?next=" + quote(request.url.path, safe="/")
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    headers = {"Retry-After": "30"} if status == 503 else None
    template = "partials/error.html" if is_htmx(request) else "pages/error.html"
    return render(
        request,
        template,
        {"status": status, "message": MESSAGES.get(status), "detail": detail},
        status=status,
        headers=headers,
    )


async def _on_sign_in_required(request: Request, exc: Exception) -> Response:
    return _sign_in_redirect(request)


async def _on_role_required(request: Request, exc: Exception) -> Response:
    return error_page(request, 403)


async def _on_csrf(request: Request, exc: Exception) -> Response:
    return render(request, "pages/csrf.html", status=403)


async def _on_api_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    if exc.status == 401:
        # The token was refused (expired or revoked): the session ends with it.
        await sign_out(request)
        return _sign_in_redirect(request)
    status = exc.status if exc.status in MESSAGES else (503 if exc.status >= 500 else 400)
    return error_page(request, status, exc.detail if status in (400, 409) else None)


async def _on_unavailable(request: Request, exc: Exception) -> Response:
    return error_page(request, 503)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_page(request, exc.status_code if exc.status_code in MESSAGES else 404)


async def _on_invalid_request(request: Request, exc: Exception) -> Response:
    # Only a hand-edited URL gets here (a malformed id): nothing by that name.
    return error_page(request, 404)


async def _refuse_nul(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """A NUL in the address (``?q=%00``): this page, not the services' refusal as JSON."""
    if has_nul(request.scope):
        return error_page(request, 400, gettext(request, NUL_IN_ADDRESS))
    return await call_next(request)


def install_error_pages(app: FastAPI) -> None:
    """Error handlers, and the NUL guard (installed before the session middleware, so
    it runs inside it and the page has the user's session)."""
    app.middleware("http")(_refuse_nul)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(SignInRequired, _on_sign_in_required)
    app.add_exception_handler(RoleRequired, _on_role_required)
    app.add_exception_handler(CsrfRefused, _on_csrf)
    app.add_exception_handler(ApiProblem, _on_api_problem)
    app.add_exception_handler(ApiUnavailable, _on_unavailable)
    app.add_exception_handler(HTTPException, _on_http)
