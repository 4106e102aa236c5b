"""Languages: gettext catalogues (Babel) compiled when the app starts, one Jinja
environment per language, and dates and numbers in the chosen locale."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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


def formatters(language: str, zone: str = "UTC") -> dict[str, Callable[..., str]]:
    """Dates, times and numbers in the language; times in ``zone``, which is named
    after each time by its city ("20:52 (Бишкек)"), as the services send UTC."""
    locale = Locale.parse(language)
    tz = ZoneInfo(zone)
    place = dates.get_timezone_location(tz, locale=locale, return_city=True)

    def date(value: Any, form: str = "medium") -> str:
        if value in (None, ""):
            return ""
        day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return str(dates.format_date(day, format=form, locale=locale))

    def datetime(value: Any, form: str = "medium") -> str:
        if value in (None, ""):
            return ""
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        shown = dates.format_datetime(moment, format=form, tzinfo=tz, locale=locale)
        return f"{shown} ({place})"

    def number(value: Any) -> str:
        return "" if value is None else str(numbers.format_decimal(value, locale=locale))

    return {"date": date, "datetime": datetime, "number": number}
