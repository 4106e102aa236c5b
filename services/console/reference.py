"""Reference lists for forms (regions of the country of origin, countries), from pycountry."""

from __future__ import annotations

from functools import cache, lru_cache

import pycountry


@cache
def regions(country: str) -> dict[str, str]:
    found = pycountry.subdivisions.get(country_code=country) or []  # type: ignore[no-untyped-call]
    return {s.code: s.name for s in sorted(found, key=lambda s: s.name)}


@lru_cache(maxsize=1)
def countries() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])
