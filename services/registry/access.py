"""Who may call what in the registry, in one place (the design's role table)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import require
from shared.auth.principal import Principal, Role
from shared.ratelimit import rate_limited

# Writes: registrars only.
Registrar = Annotated[Principal, Depends(require(Role.registrar))]
# Reads of persons, families and movements (analysts are never admitted), rate
# limited per caller (settings.person_read_limits) so a token cannot scrape the registry.
Reader = Annotated[
    Principal,
    Depends(
        rate_limited(
            require(
                Role.registrar,
                Role.consular_officer,
                Role.consular_supervisor,
                Role.admin,
                scopes=("registry:read",),
            ),
            "person-read",
        )
    ),
]
# The minimum a family notification needs, for peer services.
ContactsReader = Annotated[
    Principal, Depends(require(Role.registrar, Role.admin, scopes=("registry:contacts",)))
]
# Ending a marker: the registrar who records them, or the consular supervisor who
# sees them (a registrar cannot list markers, so cannot find one to end).
MarkerWithdrawer = Annotated[Principal, Depends(require(Role.registrar, Role.consular_supervisor))]
# Whether a person must be protected (marked, no family SMS): the consular
# service's token only. People read markers by the need-to-know rule in
# markers/service.py (404 to everyone else), not by a role here.
MarkerGuard = Annotated[Principal, Depends(require(scopes=("registry:markers",)))]
# Children at risk: the people who act on them.
AtRiskReader = Annotated[
    Principal,
    Depends(
        rate_limited(require(Role.registrar, Role.admin, Role.consular_supervisor), "person-read")
    ),
]
# Statistics: counts only, never a person.
Analyst = Annotated[Principal, Depends(require(Role.analyst, Role.admin, Role.consular_supervisor))]
Auditor = Annotated[Principal, Depends(require(Role.auditor))]
