"""The audit trail for auditors: who read or changed which record, filtered, under
the chain's verification state (checked by the registry from its newest signed
checkpoint on each view)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import Api, ApiProblem, ApiUnavailable, UserApi
from services.console.form_errors import Explained, explain
from services.console.rendering import render
from services.console.session import StaffUser, roles

router = APIRouter()
Auditor = roles("auditor")
FILTERS = ("person_id", "actor", "from", "to")
PAGE_SIZE = 100


@router.get("/audit")
async def audit_trail(request: Request, api: UserApi, user: StaffUser = Auditor) -> Response:
    chosen = {k: request.query_params.get(k, "").strip()[:200] for k in FILTERS}
    cursor = request.query_params.get("cursor", "")[:500]
    (answer, errors), chain = await asyncio.gather(_events(api, chosen, cursor), _verification(api))
    return render(
        request,
        "pages/audit.html",
        {
            "events": answer["items"],
            "chosen": chosen,
            "chain": chain,
            "errors": errors,
            "next": _next_page(chosen, answer["next_cursor"])
            if answer.get("next_cursor")
            else None,
            "first": _next_page(chosen, None) if cursor else None,
        },
    )


async def _events(
    api: Api, chosen: dict[str, str], cursor: str
) -> tuple[dict[str, Any], dict[str, Explained | str]]:
    """A page of events, or none and each filter the registry refused, in plain words."""
    try:
        answer = await api.get(
            "registry", "/v1/audit-events", {**chosen, "cursor": cursor, "limit": PAGE_SIZE}
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        errors = {
            name if name in FILTERS else "_form": explain(name, reason)
            for name, reason in problem.field_errors().items()
        }
        return {"items": []}, errors
    return answer, {}


def _next_page(chosen: dict[str, str], cursor: str | None) -> str:
    """The trail under the same filters, from ``cursor`` (None: from the start)."""
    query = {k: v for k, v in chosen.items() if v}
    return "/audit?" + urlencode({**query, "cursor": cursor} if cursor else query)


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
