"""Who is calling: the verified claims of a token, in domain terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    registrar = "registrar"
    consular_officer = "consular_officer"
    consular_supervisor = "consular_supervisor"
    analyst = "analyst"
    auditor = "auditor"
    admin = "admin"
    service = "service"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    scopes: frozenset[str] = field(default_factory=frozenset)
    consulate: str | None = None
    token_id: str | None = None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def has_scope(self, *scopes: str) -> bool:
        return Role.service in self.roles and bool(self.scopes.intersection(scopes))

    @property
    def primary_role(self) -> str:
        """The role recorded in audit events (the first in a fixed order)."""
        return next((role.value for role in Role if role in self.roles), "none")
