"""Country names in a language: pycountry's ISO 3166-1 names through the gettext
catalogues it ships (ky and ru among them). Used by the registry's family SMS and
the console's forms alike."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry


@cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str, language: str) -> str:
    """The country's common name in the language (English when untranslated); the
    code itself when no country has it."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    translations = _translations(language)
    common = getattr(country, "common_name", None)
    # A catalogue may translate the official short name but not the common one
    # (ky has "Корея Республикасы" but no "South Korea"): take whichever it has.
    for name in (common, country.name):
        if name and translations.gettext(name) != name:
            return translations.gettext(name)
    return common or country.name
