"""Administration: the message log (filters, each message's delivery history) and the
opt-out list, numbers masked but for their last digits, with adding and removing one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import ApiProblem, UserApi
from services.console.csrf import check_csrf
from services.console.forms import read_form
from services.console.i18n import N_
from services.console.rendering import flash, gettext, render
from services.console.session import StaffUser, roles

router = APIRouter(prefix="/admin", dependencies=[Depends(check_csrf)])
Admin = roles("admin")
SHOWN_DIGITS = 4
STATUSES = {
    "queued": N_("Queued"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "expired": N_("Expired"),
    "suppressed": N_("Suppressed"),
}
Text = Annotated[str, Query(max_length=200)]


def mask(phone: str | None) -> str:
    """Only the last digits show (the rest is not needed to tell numbers apart)."""
    if not phone:
        return ""
    return "•" * max(len(phone) - SHOWN_DIGITS, 0) + phone[-SHOWN_DIGITS:]


def _next(path: str, chosen: dict[str, str], answer: dict[str, Any]) -> str | None:
    """The link to the next page, with the same filters, when there is one."""
    more = answer.get("next_cursor")
    return f"{path}?{urlencode({**chosen, 'cursor': more})}" if more else None


def _masked(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{**item, "masked": mask(item.get(key))} for item in items]


@router.get("/messages")
async def messages(
    request: Request,
    api: UserApi,
    to: Text = "",
    reference: Text = "",
    status: Text = "",
    cursor: Annotated[str, Query(max_length=500)] = "",
    user: StaffUser = Admin,
) -> Response:
    chosen = {"to": to[:20], "reference": reference, "status": status}
    error = None
    try:
        answer = await api.get(
            "notifications",
            "/v1/messages",
            {**chosen, "status": status if status in STATUSES else "", "cursor": cursor},
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        answer, error = {"items": []}, problem.field_errors()
    return render(
        request,
        "pages/messages.html",
        {
            "messages": _masked(answer["items"], "to"),
            "chosen": chosen,
            "statuses": STATUSES,
            "errors": error or {},
            "next": _next("/admin/messages", chosen, answer),
        },
    )


@router.get("/messages/{message_id}")
async def message(
    request: Request, message_id: uuid.UUID, api: UserApi, user: StaffUser = Admin
) -> Response:
    found = await api.get("notifications", f"/v1/messages/{message_id}")
    return render(request, "pages/message.html", {"m": found, "statuses": STATUSES})


@router.get("/opt-outs")
async def opt_outs(
    request: Request,
    api: UserApi,
    cursor: Annotated[str, Query(max_length=500)] = "",
    user: StaffUser = Admin,
) -> Response:
    return await _opt_outs(request, api, cursor=cursor)


async def _opt_outs(
    request: Request,
    api: UserApi,
    *,
    cursor: str = "",
    phone: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    answer = await api.get("notifications", "/v1/opt-outs", {"cursor": cursor})
    return render(
        request,
        "pages/opt_outs.html",
        {
            "opt_outs": _masked(answer["items"], "phone"),
            "phone": phone,
            "error": error,
            "next": _next("/admin/opt-outs", {}, answer),
        },
        status=status,
    )


@router.post("/opt-outs")
async def add_opt_out(request: Request, api: UserApi, user: StaffUser = Admin) -> Response:
    phone = (await read_form(request)).values.get("phone", "").replace(" ", "")
    try:
        await api.call("PUT", "notifications", f"/v1/opt-outs/{quote(phone[:20] or '-', safe='')}")
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        reason = gettext(request, N_("Enter the number in international form, e.g. +996700123456."))
        return await _opt_outs(request, api, phone=phone, error=reason, status=422)
    flash(request, N_("The number is opted out: no SMS will be sent to it."))
    return RedirectResponse("/admin/opt-outs", status_code=303)


@router.post("/opt-outs/remove")
async def remove_opt_out(request: Request, api: UserApi, user: StaffUser = Admin) -> Response:
    phone = (await read_form(request)).values.get("phone", "")
    try:
        await api.call(
            "DELETE", "notifications", f"/v1/opt-outs/{quote(phone[:20] or '-', safe='')}"
        )
    except ApiProblem as problem:
        if problem.status not in (404, 422):
            raise  # a number already back in (another administrator was first) is fine
    flash(request, N_("The opt-out is removed: the number receives SMS again."))
    return RedirectResponse("/admin/opt-outs", status_code=303)
