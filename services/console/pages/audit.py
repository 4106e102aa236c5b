"""The audit trail for auditors: who read or changed which record, filtered, under
the chain's verification state (checked by the registry from its newest signed
checkpoint on each view)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import Api, ApiProblem, ApiUnavailable, UserApi
from services.console.rendering import render
from services.console.session import StaffUser, roles

router = APIRouter()
Auditor = roles("auditor")
FILTERS = ("person_id", "actor", "from", "to")


@router.get("/audit")
async def audit_trail(request: Request, api: UserApi, user: StaffUser = Auditor) -> Response:
    chosen = {k: request.query_params.get(k, "").strip()[:200] for k in FILTERS}
    answer, chain = await asyncio.gather(
        api.get("registry", "/v1/audit-events", {**chosen, "limit": 100}),
        _verification(api),
    )
    return render(
        request, "pages/audit.html", {"events": answer["items"], "chosen": chosen, "chain": chain}
    )


async def _verification(api: Api) -> dict[str, Any] | None:
    """The chain's state; None (shown as unknown) when the check itself could not run,
    so the trail stays readable. A refused token still ends the session."""
    try:
        state: dict[str, Any] = await api.get("registry", "/v1/audit/verification")
    except ApiProblem as exc:
        if exc.status == 401:
            raise
        return None
    except ApiUnavailable:
        return None
    checkpoint = state.get("checkpoint")
    if checkpoint:
        checkpoint["age_minutes"] = int(checkpoint["age_seconds"] // 60)
    return state
