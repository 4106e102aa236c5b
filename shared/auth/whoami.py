"""``GET /v1/whoami``: the caller's verified principal, on every service."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from shared.auth.dependencies import CurrentPrincipal

router = APIRouter(tags=["identity"])


class WhoAmI(BaseModel):
    subject: str
    roles: list[str]
    scopes: list[str]
    consulate: str | None


@router.get("/whoami", response_model=WhoAmI, summary="The caller's verified identity")
async def whoami(principal: CurrentPrincipal) -> WhoAmI:
    return WhoAmI(
        subject=principal.subject,
        roles=sorted(principal.roles),
        scopes=sorted(principal.scopes),
        consulate=principal.consulate,
    )
