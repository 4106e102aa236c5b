"""Person search (as you type) and the person record."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api import Api, UserApi
from services.console.navigation import OFFICERS, PEOPLE_READERS
from services.console.pages.corrections import split_history
from services.console.pages.markers import visible_markers
from services.console.rendering import gettext, is_htmx, language_of, render
from services.console.session import StaffUser, roles

router = APIRouter()
SEARCH_LIMIT = 20
PeopleReader = roles(*PEOPLE_READERS)


@router.get("/persons")
async def search(
    request: Request, api: UserApi, q: str = "", user: StaffUser = PeopleReader
) -> Response:
    query = q.strip()[:200]
    people: list[dict[str, Any]] = []
    if query:
        answer = await api.get("registry", "/v1/persons", {"q": query, "limit": SEARCH_LIMIT})
        people = answer["items"]
        empty = gettext(request, "Nobody found. Try another spelling, the PIN or the phone.")
    elif user.has_role("registrar", "admin"):
        answer = await api.get("registry", "/v1/persons", {"limit": SEARCH_LIMIT})
        people = answer["items"]
        empty = gettext(request, "Nobody registered yet.")
    else:
        empty = ""
    context = {
        "q": query,
        "people": people,
        "empty_message": empty,
    }
    template = "partials/person_table.html" if is_htmx(request) else "pages/persons.html"
    return render(request, template, context)


@router.get("/persons/{person_id}")
async def record(
    request: Request, person_id: uuid.UUID, api: UserApi, user: StaffUser = PeopleReader
) -> Response:
    base = f"/v1/persons/{person_id}"
    person = await api.get("registry", base)
    family = (await api.get("registry", f"{base}/family-members"))["items"]
    everything = await api.get("registry", f"{base}/movements", {"include_superseded": "true"})
    country = request.app.state.settings.country
    movements, corrections = split_history(everything["items"], language_of(request), country)
    events = (await api.get("registry", f"{base}/status-events"))["items"]
    cases = await _cases_of(api, person) if user.has_role(*OFFICERS) else None
    names = {m["id"]: f"{m['last_name']} {m['first_name']}" for m in family}
    markers = await visible_markers(api, user, person["id"], names)
    return render(
        request,
        "pages/person.html",
        {
            "person": person,
            "family": family,
            "member_names": names,
            "movements": movements,
            "corrections": corrections,
            "status_events": events,
            "cases": cases,
            "markers": markers,
        },
    )


async def _cases_of(api: Api, person: dict[str, Any]) -> list[dict[str, Any]]:
    # Cases are searched by name, then kept only when linked to this very person.
    answer = await api.get("consular", "/v1/cases", {"q": person["last_name"], "limit": 100})
    return [c for c in answer["items"] if c.get("person_id") == person["id"]]
