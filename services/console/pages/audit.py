"""The audit trail for auditors: who read or changed which record, filtered."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import UserApi
from services.console.rendering import render
from services.console.session import StaffUser, roles

router = APIRouter()
Auditor = roles("auditor")
FILTERS = ("person_id", "actor", "from", "to")


@router.get("/audit")
async def audit_trail(request: Request, api: UserApi, user: StaffUser = Auditor) -> Response:
    chosen = {k: request.query_params.get(k, "").strip()[:200] for k in FILTERS}
    answer = await api.get("registry", "/v1/audit-events", {**chosen, "limit": 100})
    return render(request, "pages/audit.html", {"events": answer["items"], "chosen": chosen})
