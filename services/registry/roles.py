"""Who may call what, in one place (the issue's role table)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import require
from shared.auth.principal import Principal

# Writes: registrars only.
Registrar = Annotated[Principal, Depends(require("registrar"))]
# Reads of persons, families and movements (analysts are never admitted).
Reader = Annotated[
    Principal,
    Depends(
        require(
            "registrar",
            "consular_officer",
            "consular_supervisor",
            "admin",
            scopes=("registry:read",),
        )
    ),
]
# The minimum a family notification needs, for peer services.
ContactsReader = Annotated[
    Principal, Depends(require("registrar", "admin", scopes=("registry:contacts",)))
]
# Children at risk: the people who act on them.
AtRiskReader = Annotated[Principal, Depends(require("registrar", "admin", "consular_supervisor"))]
# Statistics: counts only, never a person.
Analyst = Annotated[Principal, Depends(require("analyst", "admin", "consular_supervisor"))]
Auditor = Annotated[Principal, Depends(require("auditor"))]
