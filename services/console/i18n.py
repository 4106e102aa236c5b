"""Languages: gettext catalogues (Babel) compiled when the app starts, one Jinja
environment per language, and dates and numbers in the chosen locale."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request

LANGUAGES = ("ky", "ru", "en")
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Marks a string for extraction; translated where it is shown."""
    return message


@cache
def translations(language: str) -> Translations:
    """The language's catalogue, compiled from its .po file (no binary .mo committed)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return Translations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def choose_language(request: Request, default: str) -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip().lower()[:2] for part in header.split(",")]
    return next((lang for lang in preferred if lang in LANGUAGES), default)


def formatters(language: str) -> dict[str, Callable[..., str]]:
    locale = Locale.parse(language)

    def date(value: Any, form: str = "medium") -> str:
        if value in (None, ""):
            return ""
        day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return str(dates.format_date(day, format=form, locale=locale))

    def datetime(value: Any, form: str = "medium") -> str:
        if value in (None, ""):
            return ""
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return str(dates.format_datetime(moment, format=form, locale=locale))

    def number(value: Any) -> str:
        return "" if value is None else str(numbers.format_decimal(value, locale=locale))

    return {"date": date, "datetime": datetime, "number": number}
