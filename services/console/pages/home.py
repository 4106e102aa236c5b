"""Home: each role's inbox."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import Api, ApiProblem, UserApi
from services.console.labels import SLA_ORDER
from services.console.pages.outcomes import task_detail
from services.console.rendering import render
from services.console.session import Staff

router = APIRouter()
TASK_LIMIT = 20
CASE_LIMIT = 100


def by_sla(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Red first, then amber, green, paused; the earliest deadline first within each."""
    return sorted(cases, key=lambda c: (SLA_ORDER.get(c["sla_state"], 9), c["due_at"]))


@router.get("/")
async def home(request: Request, user: Staff, api: UserApi) -> Response:
    context: dict[str, Any] = {}
    if user.has_role("consular_officer", "consular_supervisor"):
        live, more = await cases_needing_action(api)
        context.update(cases=by_sla(live), more_cases=more)
        context["tasks"] = await open_tasks(request, api, live)
    if user.has_role("consular_supervisor", "admin"):
        context["sla_summary"] = await api.get("consular", "/v1/cases/sla-summary")
    if user.has_role("registrar"):
        newest = {"limit": 10, "sort": "-created_at"}
        recent = await api.get("registry", "/v1/persons", newest)
        context["recent"] = recent["items"]
        risk = await api.get("registry", "/v1/at-risk-children", {"limit": 20})
        context["at_risk"] = risk["items"]
    return render(request, "pages/home.html", context)


async def cases_needing_action(api: Api) -> tuple[list[dict[str, Any]], bool]:
    """Unfinished cases, filtered by the service. When there are more than a page, the
    overdue ones are asked for apart (a page of them too), and ``True`` says so."""
    unfinished = await api.get("consular", "/v1/cases", {"finished": "false", "limit": CASE_LIMIT})
    found = {c["id"]: c for c in unfinished["items"]}
    more = unfinished["next_cursor"] is not None
    if more:
        overdue = await api.get("consular", "/v1/cases", {"overdue": "true", "limit": CASE_LIMIT})
        found.update((c["id"], c) for c in overdue["items"])
    return list(found.values()), more


async def open_tasks(
    request: Request, api: Api, known: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The open follow-ups, newest first, each with its case's number (read from the
    case list already fetched, else asked for: a resolved case's task is common)."""
    answer = await api.get("consular", "/v1/tasks", {"status": "open", "limit": TASK_LIMIT})
    numbers = {c["id"]: c["case_number"] for c in known}
    missing = list(dict.fromkeys(t["case_id"] for t in answer["items"]) - numbers.keys())
    for case_id, number in zip(
        missing, await asyncio.gather(*(_case_number(api, c) for c in missing)), strict=True
    ):
        numbers[case_id] = number
    return [
        {**t, "case_number": numbers.get(t["case_id"]), "said": task_detail(request, t["detail"])}
        for t in answer["items"]
    ]


async def _case_number(api: Api, case_id: str) -> str | None:
    try:
        case = await api.get("consular", f"/v1/cases/{case_id}")
    except ApiProblem as problem:
        if problem.status != 404:  # moved to another consulate meanwhile
            raise
        return None
    return str(case["case_number"])
