"""Places by code: regions of the country of origin and countries, named in the user's
language. Country names and other countries' regions come from pycountry and its own
gettext catalogues (iso3166-1, iso3166-2); Kyrgyzstan's regions are named here, because
pycountry's English names are transliterations ("Bishkek Shaary City") and its ky and ru
catalogues leave them untranslated."""

from __future__ import annotations

import gettext
from functools import cache, lru_cache

import pycountry

from services.console.i18n import N_, translations

# The console's own names (translated in its catalogue), by ISO 3166-2 code.
REGION_NAMES = {
    "KG-GB": N_("Bishkek"),
    "KG-GO": N_("Osh (city)"),
    "KG-B": N_("Batken Region"),
    "KG-C": N_("Chüy Region"),
    "KG-J": N_("Jalal-Abad Region"),
    "KG-N": N_("Naryn Region"),
    "KG-O": N_("Osh Region"),
    "KG-T": N_("Talas Region"),
    "KG-Y": N_("Ysyk-Köl Region"),
}


@cache
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def region_name(code: str | None, language: str = "en") -> str:
    """A region's name, else its code as it is (an unknown or retired code)."""
    if not code:
        return ""
    if code in REGION_NAMES:
        return str(translations(language).gettext(REGION_NAMES[code]))
    found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return _catalogue("iso3166-2", language).gettext(found.name) if found else code


def country_name(code: str | None, language: str = "en") -> str:
    if not code:
        return ""
    found = pycountry.countries.get(alpha_2=code)
    return _catalogue("iso3166-1", language).gettext(found.name) if found else code


@cache
def regions(country: str, language: str = "en") -> dict[str, str]:
    """The country's regions, code → name, in the order of their names."""
    found = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
    named = {s.code: region_name(s.code, language) for s in found}
    return dict(sorted(named.items(), key=lambda item: item[1]))


@lru_cache(maxsize=4)
def countries(language: str = "en") -> list[tuple[str, str]]:
    named = ((c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries)
    return sorted(named, key=lambda c: c[1])


def place_name(text: str, language: str) -> str:
    """An English place name as a form's options carry it, in the language."""
    for catalogue in (
        translations(language),
        _catalogue("iso3166-1", language),
        _catalogue("iso3166-2", language),
    ):
        said = str(catalogue.gettext(text))
        if said != text:
            return said
    return text
