"""Country names in the user's language (pycountry's ISO 3166-1 names and the
gettext catalogues it ships, ky and ru among them), and the destination list the
departure form offers: the common destinations first, then the rest by name."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

# Where most migrants from the country of origin go (ISO 3166-1 alpha-2).
COMMON_DESTINATIONS = ("RU", "KZ", "TR", "KR", "AE", "US", "DE", "GB", "CN")


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str, language: str) -> str:
    """The country's common name in the language; the code itself when unknown."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    translated = _catalogue(language).gettext(country.name)
    return english if translated == country.name else translated


@cache
def destinations(language: str, home: str) -> tuple[tuple[str, str], ...]:
    """(code, name) for every country but home: the common ones first, in their
    order, then the rest sorted by their name in the language."""
    common = [(code, country_name(code, language)) for code in COMMON_DESTINATIONS]
    rest = sorted(
        (
            (c.alpha_2, country_name(c.alpha_2, language))
            for c in pycountry.countries
            if c.alpha_2 not in COMMON_DESTINATIONS and c.alpha_2 != home
        ),
        key=lambda item: item[1].casefold(),
    )
    return tuple(item for item in common if item[0] != home) + tuple(rest)
