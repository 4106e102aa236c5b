"""Administration: consulates, SMS templates (with a preview) and the message log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.console.api import ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import read_form
from services.console.rendering import render
from services.console.session import StaffUser, roles

router = APIRouter(prefix="/admin", dependencies=[Depends(check_csrf)])
Admin = roles("admin")


@router.get("/consulates")
async def consulates(request: Request, api: UserApi, user: StaffUser = Admin) -> Response:
    answer = await api.get("consular", "/v1/consulates")
    return render(request, "pages/consulates.html", {"consulates": answer["items"]})


@router.get("/templates")
async def templates(request: Request, api: UserApi, user: StaffUser = Admin) -> Response:
    answer = await api.get("notifications", "/v1/templates")
    return render(request, "pages/templates.html", {"templates": answer["items"]})


@router.post("/templates/{key}/{language}/preview")
async def preview(
    request: Request, key: str, language: str, api: UserApi, user: StaffUser = Admin
) -> Response:
    """The stored template rendered with the parameters typed (htmx, as you type)."""
    sent = await read_form(request)
    params = {k.removeprefix("p_"): v for k, v in sent.values.items() if k.startswith("p_")}
    try:
        answer = await api.send(
            "POST", "notifications", f"/v1/templates/{key}/{language}/preview", {"params": params}
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        return render(request, "partials/preview.html", {"error": problem.detail})
    return render(request, "partials/preview.html", {"preview": answer.body})


@router.get("/messages")
async def messages(
    request: Request, api: UserApi, to: str = "", reference: str = "", user: StaffUser = Admin
) -> Response:
    items = []
    if to or reference:
        answer = await api.get(
            "notifications", "/v1/messages", {"to": to[:20], "reference": reference[:200]}
        )
        items = answer["items"]
    return render(
        request, "pages/messages.html", {"messages": items, "to": to, "reference": reference}
    )
