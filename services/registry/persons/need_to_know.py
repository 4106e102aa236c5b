"""Who may list the registry, and how much a people search answers everyone else.

Registrars and administrators keep the registry: they list and page through
it with filters. Every other reader (consular officers and supervisors, peer
services) looks a person up: a query (``q``, ``pin`` or ``phone``) is
required and the answer is one page of at most
``person_search_max_results`` people, with no cursor beyond it, so nobody
else can page through everyone.
"""

from __future__ import annotations

from services.registry.settings import RegistrySettings
from shared.auth.principal import Principal, Role
from shared.errors import InvalidInput

LISTING_ROLES = (Role.registrar, Role.admin)


def may_list(principal: Principal) -> bool:
    return principal.has_role(*LISTING_ROLES)


def page_size(
    principal: Principal,
    settings: RegistrySettings,
    *,
    has_query: bool,
    limit: int,
    cursor: str | None,
) -> int:
    """The page this caller may have; a 422 naming what is missing otherwise."""
    if may_list(principal):
        return limit
    if not has_query:
        raise InvalidInput(
            ("query", "q"),
            "a query is required (q, pin or phone): only registrars and administrators "
            "list the registry",
        )
    most = settings.person_search_max_results
    if cursor is not None:
        raise InvalidInput(
            ("query", "cursor"),
            f"a search answers one page of at most {most} people; refine the query instead",
        )
    return min(limit, most)
