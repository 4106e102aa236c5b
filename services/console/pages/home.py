"""Home: each role's inbox."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import UserApi
from services.console.labels import SLA_ORDER
from services.console.rendering import render
from services.console.session import Staff

router = APIRouter()


def by_sla(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Red first, then amber, green, paused; the earliest deadline first within each."""
    return sorted(cases, key=lambda c: (SLA_ORDER.get(c["sla_state"], 9), c["due_at"]))


@router.get("/")
async def home(request: Request, user: Staff, api: UserApi) -> Response:
    context: dict[str, Any] = {}
    if user.has_role("consular_officer", "consular_supervisor"):
        answer = await api.get("consular", "/v1/cases", {"limit": 100})
        live = [c for c in answer["items"] if c["status"] not in ("resolved", "closed")]
        context["cases"] = by_sla(live)
    if user.has_role("consular_supervisor", "admin"):
        context["sla_summary"] = await api.get("consular", "/v1/cases/sla-summary")
    if user.has_role("registrar"):
        recent = await api.get("registry", "/v1/persons", {"limit": 10})
        context["recent"] = recent["items"]
        risk = await api.get("registry", "/v1/at-risk-children", {"limit": 20})
        context["at_risk"] = risk["items"]
    return render(request, "pages/home.html", context)
