"""The provider's claims in the console's terms: roles and consulate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.console.session import STAFF_ROLES
from services.console.settings import OidcSettings


def staff_roles(claims: Mapping[str, Any], oidc: OidcSettings) -> frozenset[str]:
    raw = claims.get(oidc.roles_claim, [])
    values = raw.split() if isinstance(raw, str) else list(raw or [])
    mapped = {oidc.role_map.get(str(v), str(v)) for v in values}
    return frozenset(mapped.intersection(STAFF_ROLES))


def consulate(claims: Mapping[str, Any], oidc: OidcSettings) -> str | None:
    value = claims.get(oidc.consulate_claim)
    return str(value) if value else None
