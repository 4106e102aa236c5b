"""Places by code, named in the user's language: countries through ``shared.countries``
(as the registry's SMS name them); other countries' regions from pycountry's own gettext
catalogue (iso3166-2); Kyrgyzstan's regions here, because pycountry's English names are
transliterations ("Bishkek Shaary City") and its ky and ru catalogues leave them
untranslated. Also the destination list the departure form offers."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from services.console.i18n import N_, translations
from shared.countries import country_name

__all__ = ["country_name", "destinations", "place_name", "region_name", "regions"]

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


@cache
def regions(country: str, language: str = "en") -> dict[str, str]:
    """The country's regions, code → name, in the order of their names."""
    found = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
    named = {s.code: region_name(s.code, language) for s in found}
    return dict(sorted(named.items(), key=lambda item: item[1]))


# Where most migrants from the country of origin go (ISO 3166-1 alpha-2).
COMMON_DESTINATIONS = ("RU", "KZ", "TR", "KR", "AE", "US", "DE", "GB", "CN")


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
