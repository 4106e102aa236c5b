"""Pages from Jinja templates, in the request's language, with what every page needs."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.console import i18n, reference
from services.console.csrf import csrf_token
from services.console.form_errors import Explained
from services.console.labels import LABELS, SECTORS
from services.console.navigation import links_for
from services.console.session import current_user

TEMPLATES = Path(__file__).parent / "templates"
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@cache
def environment(language: str, zone: str = "UTC") -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = i18n.translations(language)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(i18n.formatters(language, zone))
    env.filters["label"] = lambda code: (
        translations.gettext(LABELS[code]) if code in LABELS else code
    )
    env.filters["explain"] = lambda message: _say(env, translations, message)
    env.filters["region"] = lambda code: reference.region_name(code, language)
    env.filters["country"] = lambda code: reference.country_name(code, language)
    env.filters["place"] = lambda text: reference.place_name(text, language)
    env.filters["sector"] = lambda code: (
        translations.gettext(SECTORS[code]) if code in SECTORS else code
    )
    env.filters["placeholders"] = lambda body: list(dict.fromkeys(PLACEHOLDER.findall(body)))
    env.globals["languages"] = i18n.LANGUAGE_NAMES
    return env


def _say(env: Environment, translations: Translations, message: Any) -> Any:
    """A form error: a console message translated (its parameters shown through their
    filters), or a service's own text as it came."""
    if not isinstance(message, Explained):
        return message
    params = {
        name: env.filters[message.formats[name]](value) if name in message.formats else value
        for name, value in message.params.items()
    }
    text = translations.gettext(message.msgid)
    return text % params if params else text


def language_of(request: Request) -> str:
    return i18n.choose_language(request, request.app.state.settings.default_language)


def gettext(request: Request, message: str) -> str:
    return str(i18n.translations(language_of(request)).gettext(message))


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    language = language_of(request)
    user = current_user(request)
    page = environment(language, request.app.state.settings.time_zone).get_template(template)
    html = page.render(
        request=request,
        user=user,
        nav=links_for(user),
        csrf=csrf_token(request),
        lang=language,
        path=request.url.path,
        dev_sign_in=request.app.state.settings.dev_sign_in,
        notice=request.session.pop("notice", None),
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def flash(request: Request, message: str) -> None:
    """A one-time notice shown on the next page (after a redirect)."""
    request.session["notice"] = gettext(request, message)
