"""The destination list the departure form offers: the common destinations first,
then the rest by their name in the user's language (``shared.countries``)."""

from __future__ import annotations

from functools import cache

import pycountry

from shared.countries import country_name

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
