"""Case list (filters) and case view: SLA clock, timeline, referrals, and only the
moves the workflow allows (the service says which, in ``allowed_transitions``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import read_form
from services.console.i18n import N_
from services.console.labels import (
    CASE_STATUSES,
    CATEGORIES,
    PRIORITIES,
    RESOLUTIONS,
    SENSITIVE_CATEGORIES,
)
from services.console.navigation import OFFICERS
from services.console.pages.markers import visible_markers
from services.console.pages.outcomes import explain, reason
from services.console.rendering import flash, gettext, is_htmx, render
from services.console.session import StaffUser, roles

router = APIRouter(dependencies=[Depends(check_csrf)])
CaseReader = roles(*OFFICERS, "admin")
CaseWorker = roles(*OFFICERS)
FILTERS = ("status", "category", "priority", "overdue", "assignee", "consulate", "q", "finished")


@router.get("/cases")
async def case_list(request: Request, api: UserApi, user: StaffUser = CaseReader) -> Response:
    chosen = {k: request.query_params.get(k, "").strip()[:200] for k in FILTERS}
    params: dict[str, Any] = {k: v for k, v in chosen.items() if v}
    if params.get("overdue"):
        params["overdue"] = "true"
    if params.get("finished") not in (None, "true", "false"):
        del params["finished"]
    answer = await api.get("consular", "/v1/cases", {**params, "limit": 100})
    context = {
        "cases": answer["items"],
        "chosen": chosen,
        "statuses": CASE_STATUSES,
        "categories": CATEGORIES,
        "priorities": PRIORITIES,
    }
    template = "partials/case_table.html" if is_htmx(request) else "pages/cases.html"
    return render(request, template, context)


@router.get("/cases/{case_id}")
async def case_view(
    request: Request, case_id: uuid.UUID, api: UserApi, user: StaffUser = CaseReader
) -> Response:
    return await _case_page(request, api, user, case_id)


async def _case_page(
    request: Request,
    api: UserApi,
    user: StaffUser,
    case_id: uuid.UUID,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    case = await api.get("consular", f"/v1/cases/{case_id}")
    timeline = await api.get("consular", f"/v1/cases/{case_id}/timeline", {"limit": 200})
    referrals = await api.get("consular", f"/v1/cases/{case_id}/referrals")
    events = [{**e, "said": explain(request, e)} for e in timeline["items"]]
    markers = await visible_markers(api, user, case["person_id"])
    officers = await api.get("consular", f"/v1/cases/{case_id}/officers")
    return render(
        request,
        "pages/case.html",
        {
            "case": case,
            "timeline": events,
            "markers": markers,
            "priority_reason": reason(request, case.get("priority_reason") or ""),
            "referrals": referrals["items"],
            "officers": officers["items"],
            "resolutions": RESOLUTIONS,
            "sensitive": case["category"] in SENSITIVE_CATEGORIES,
            "error": error,
        },
        status=status,
    )


@dataclass(frozen=True)
class CaseAction:
    """A form on the case page and the service call it makes."""

    resource: str
    fields: tuple[str, ...]
    checkboxes: tuple[str, ...] = ()
    needs_version: bool = False
    done: str = N_("Saved.")


ACTIONS = {
    "transition": CaseAction(
        "transitions",
        ("to", "note", "resolution"),
        ("notify_family",),
        True,
        N_("The case status is changed."),
    ),
    "note": CaseAction("notes", ("text",), done=N_("The note is added.")),
    "assign": CaseAction(
        "assignments", ("assignee",), needs_version=True, done=N_("The case is assigned.")
    ),
    "refer": CaseAction(
        "referrals",
        ("organization", "organization_type", "reason"),
        done=N_("The referral is recorded."),
    ),
}


@router.post("/cases/{case_id}/{action}")
async def case_action(
    request: Request,
    case_id: uuid.UUID,
    action: str,
    api: UserApi,
    user: StaffUser = CaseWorker,
) -> Response:
    spec = ACTIONS.get(action)
    if spec is None:
        return render(request, "pages/error.html", {"status": 404}, status=404)
    sent = await read_form(request)
    body: dict[str, Any] = {k: sent.values[k] for k in spec.fields if sent.values.get(k)}
    body.update({k: sent.values.get(k) == "on" for k in spec.checkboxes})
    etag = f'W/"{sent.values.get("version", "")}"' if spec.needs_version else None
    try:
        await api.send(
            "POST",
            "consular",
            f"/v1/cases/{case_id}/{spec.resource}",
            body,
            etag=etag,
            idempotency_key=sent.idempotency_key,
        )
    except ApiProblem as problem:
        if problem.status not in (409, 412, 422):
            raise
        message = _explain(request, problem)
        return await _case_page(request, api, user, case_id, error=message, status=problem.status)
    flash(request, spec.done)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _explain(request: Request, problem: ApiProblem) -> str:
    if problem.status == 412:
        return gettext(
            request, "Someone else changed this case meanwhile; it is shown as it is now."
        )
    reasons = [f"{k}: {v}" for k, v in problem.field_errors().items()]
    return "; ".join(reasons) or problem.detail
