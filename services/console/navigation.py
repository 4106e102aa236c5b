"""Which screens each role sees: links for other roles are never shown."""

from __future__ import annotations

from dataclasses import dataclass

from services.console.i18n import N_
from services.console.session import StaffUser

OFFICERS = ("consular_officer", "consular_supervisor")
PEOPLE_READERS = ("registrar", "consular_officer", "consular_supervisor", "admin")
STATISTICS = ("analyst", "consular_supervisor", "admin")


@dataclass(frozen=True)
class Link:
    path: str
    label: str
    roles: tuple[str, ...]


LINKS = (
    Link("/", N_("Home"), ()),
    Link("/persons", N_("People"), PEOPLE_READERS),
    Link("/persons/new", N_("Register a person"), ("registrar",)),
    Link("/cases", N_("Cases"), (*OFFICERS, "admin")),
    Link("/cases/new", N_("Open a case"), OFFICERS),
    Link("/statistics", N_("Statistics"), STATISTICS),
    Link("/audit", N_("Audit trail"), ("auditor",)),
    Link("/admin/consulates", N_("Consulates"), ("admin",)),
    Link("/admin/templates", N_("SMS templates"), ("admin",)),
    Link("/admin/messages", N_("Message log"), ("admin",)),
)


def links_for(user: StaffUser | None) -> list[Link]:
    if user is None:
        return []
    return [link for link in LINKS if not link.roles or user.has_role(*link.roles)]
