"""Production sign-in: the ministry's OpenID Connect provider, authorization code flow
with PKCE (S256), through Authlib. The provider's access token is what the console
sends to the services; its expiry ends the session."""

from __future__ import annotations

import time

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console.rendering import render
from services.console.session import StaffUser, sign_in
from services.console.settings import ConsoleSettings
from services.console.signin.claims import consulate, staff_roles
from services.console.signin.router import safe_next

router = APIRouter()
PROVIDER = "ministry"


def make_oauth(settings: ConsoleSettings) -> OAuth:
    oauth = OAuth()
    oidc = settings.oidc
    if oidc.enabled:
        assert oidc.issuer
        oauth.register(
            name=PROVIDER,
            client_id=oidc.client_id,
            client_secret=oidc.client_secret,
            server_metadata_url=oidc.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": oidc.scope, "code_challenge_method": "S256"},
        )
    return oauth


@router.get("/sign-in/oidc")
async def start(request: Request, next: str = "/") -> Response:
    client = request.app.state.oauth.create_client(PROVIDER)
    if client is None:
        return render(request, "pages/error.html", {"status": 404}, status=404)
    request.session["after_sign_in"] = safe_next(next)
    redirect_uri = str(request.url_for("oidc_callback"))
    response: Response = await client.authorize_redirect(request, redirect_uri)
    return response


@router.get("/sign-in/oidc/callback", name="oidc_callback")
async def callback(request: Request) -> Response:
    settings: ConsoleSettings = request.app.state.settings
    client = request.app.state.oauth.create_client(PROVIDER)
    if client is None:
        return render(request, "pages/error.html", {"status": 404}, status=404)
    try:
        token = await client.authorize_access_token(request)
    except OAuthError:
        return render(request, "pages/sign_in.html", {"error": "oidc", "oidc": True}, status=401)
    claims = dict(token.get("userinfo") or {})
    roles = staff_roles(claims, settings.oidc)
    if not roles:
        return render(request, "pages/sign_in.html", {"error": "no_role", "oidc": True}, status=403)
    target = request.session.get("after_sign_in", "/")
    expires_at = int(token.get("expires_at") or time.time() + int(token.get("expires_in", 300)))
    user = StaffUser(
        subject=str(claims["sub"]),
        name=str(claims.get(settings.oidc.name_claim) or claims["sub"]),
        roles=roles,
        consulate=consulate(claims, settings.oidc),
        token=str(token["access_token"]),
        expires_at=expires_at,
    )
    await sign_in(request, user)
    return RedirectResponse(safe_next(target), status_code=303)
