"""Statistics for analysts: a period, up to two breakdowns, a table (withheld cells
marked), a bar chart drawn as SVG on the server, and the same table as CSV."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console.api import ApiProblem, UserApi
from services.console.form_errors import Explained, explain
from services.console.i18n import N_
from services.console.labels import BREAKDOWNS
from services.console.navigation import STATISTICS
from services.console.rendering import gettext, render
from services.console.session import StaffUser, roles

router = APIRouter()
Analyst = roles(*STATISTICS)


def last_complete_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a ``YYYY-MM`` month (ValueError for an unreadable one)."""
    year, number = (int(part) for part in month.split("-"))
    first = dt.date(year, number, 1)
    return first, first.replace(day=calendar.monthrange(year, number)[1])


def _readable(month: str | None, default: str) -> str:
    """``month`` if it names a month, else ``default`` (the form shows what is counted)."""
    try:
        month_bounds(month or "")
    except ValueError:
        return default
    return month or default


def query(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The registry path and query for the chosen table."""
    by = ",".join(dict.fromkeys(b for b in (params["by1"], params["by2"]) if b in BREAKDOWNS))
    if params["kind"] == "flows":
        start, _ = month_bounds(params["from_month"])
        _, end = month_bounds(params["to_month"])
        return "/v1/statistics/flows", {"from": start.isoformat(), "to": end.isoformat(), "by": by}
    _, on = month_bounds(params["month"])
    return "/v1/statistics/stock", {"on": on.isoformat(), "by": by}


def chosen(request: Request) -> dict[str, str]:
    # The country's date, as the registry counts it (not the server's: a console in
    # UTC west of the country would offer a month the registry says has not ended).
    today = dt.datetime.now(ZoneInfo(request.app.state.settings.time_zone)).date()
    month = last_complete_month(today)
    q = request.query_params
    return {
        "kind": "flows" if q.get("kind") == "flows" else "stock",
        "month": _readable(q.get("month"), month),
        "from_month": _readable(q.get("from_month"), month),
        "to_month": _readable(q.get("to_month"), month),
        "by1": q.get("by1", "sex"),
        "by2": q.get("by2", ""),
    }


def bars(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for the SVG chart (withheld cells get no bar, only a mark)."""
    top = max((c["count"] or 0 for c in items), default=0) or 1
    rows = []
    for index, cell in enumerate(items):
        width = 0 if cell["count"] is None else round(400 * cell["count"] / top)
        rows.append({"y": 8 + index * 26, "width": width, "cell": cell})
    return {"rows": rows, "height": 16 + 26 * len(rows)}


# The registry's query parameters → the form's fields.
FIELDS = {"from": "from_month", "to": "to_month", "on": "month"}


def period_errors(params: dict[str, str]) -> dict[str, str]:
    """Field → message for a period that cannot be shown (checked before asking)."""
    if params["kind"] == "flows":
        start, _ = month_bounds(params["from_month"])
        _, end = month_bounds(params["to_month"])
        if end < start:
            return {"to_month": N_("The last month comes before the first month.")}
    return {}


@router.get("/statistics")
async def statistics(request: Request, api: UserApi, user: StaffUser = Analyst) -> Response:
    params = chosen(request)
    context: dict[str, Any] = {"params": params, "breakdowns": BREAKDOWNS, "table": None}
    errors: dict[str, Explained | str] = {
        k: gettext(request, v) for k, v in period_errors(params).items()
    }
    if not errors:
        path, api_params = query(params)
        try:
            table = await api.get("registry", path, api_params)
        except ApiProblem as problem:
            if problem.status != 422:
                raise
            found = problem.field_errors()
            errors = {FIELDS.get(k, "_form"): explain(k, v) for k, v in found.items()} or {
                "_form": problem.detail
            }
        else:
            keys = (["movement"] if params["kind"] == "flows" else []) + list(table["by"])
            context.update(table=table, keys=keys, chart=bars(table["items"]))
            context["csv_query"] = request.url.query
    status = 422 if errors else 200
    return render(request, "pages/statistics.html", {**context, "errors": errors}, status=status)


@router.get("/statistics.csv")
async def statistics_csv(request: Request, api: UserApi, user: StaffUser = Analyst) -> Response:
    params = chosen(request)
    if period_errors(params):  # the page says what is wrong, next to the field
        return RedirectResponse("/statistics?" + request.url.query, status_code=303)
    path, api_params = query(params)
    try:
        answer = await api.download("registry", path, api_params, "text/csv")
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        # A month not yet ended, say: the page says which field and why.
        return RedirectResponse("/statistics?" + request.url.query, status_code=303)
    name = f"migreg-{params['kind']}-{api_params.get('on') or api_params.get('to')}.csv"
    return Response(
        answer.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
