"""Every route of the registry's OpenAPI either declares audit or is on a short
list of routes that touch no person; and each declared route, called for
real, writes exactly one event per record its answer shows."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import date
from typing import Any

import httpx
import psycopg
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from services.registry.audit.declare import declaration
from services.registry.audit.verify import psycopg_url
from tests.registry.conftest import REGISTRAR, SPOUSE, MakePerson, person_body
from tests.support.tokens import bearer

# Routes that never answer or change anything about a person. Keep it short:
# a route that does is audited by declaring it (``@audited``), not listed here.
NON_PERSONAL = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/v1/whoami"),
    ("GET", "/v1/statistics/stock"),
    ("GET", "/v1/statistics/flows"),
    ("GET", "/v1/statistics/markers"),
    ("GET", "/v1/audit-events"),  # the trail itself, for auditors
    ("GET", "/v1/audit/verification"),  # whether the chain holds: seqs, times, hashes
    ("POST", "/v1/pin-checks"),  # a typed PIN against typed values: reads no record
    # Delivery state of side effects for administrators: kinds, ids and the peer's
    # problem, never a payload, name, PIN or phone.
    ("GET", "/v1/outbox"),
}
SUPERVISOR = bearer("consular_supervisor", subject="hq")
CONSULAR = bearer("service", scopes=("registry:markers",), subject="service:consular")

Call = Callable[[httpx.AsyncClient, dict[str, Any], dict[str, str]], Awaitable[httpx.Response]]


def _flat(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every APIRoute with its full path (this FastAPI nests included routers)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes, prefix + route.include_context.prefix)  # type: ignore[attr-defined]


def _routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    """Each operation of the OpenAPI document, with the route that serves it."""
    documented = app.openapi()["paths"]
    found = {}
    for path, route in _flat(app.router.routes):
        for method in route.methods or ():
            if method.lower() in documented.get(path, {}):
                found[(method, path)] = route
    operations = {(m.upper(), p) for p, ops in documented.items() for m in ops}
    assert set(found) == operations, "every documented operation has its route"
    return found


def test_every_route_declares_audit_or_touches_no_person(registry_app: FastAPI) -> None:
    routes = _routes(registry_app)
    undeclared = {key for key, r in routes.items() if declaration(r.endpoint) is None}
    assert undeclared - NON_PERSONAL == set(), "declare audit on these routes (@audited)"
    assert NON_PERSONAL - set(routes) == set(), "the allowlist names routes that do not exist"
    assert not (NON_PERSONAL - undeclared), "an allowlisted route declares audit: drop it here"


def _child() -> dict[str, Any]:
    born = date(date.today().year - 6, 2, 1).isoformat()
    return {"relation": "child", "last_name": "Абдыкадырова", "first_name": "Нурай"} | {
        "birth_date": born
    }


def _p(ctx: dict[str, Any], tail: str = "") -> str:
    return f"/v1/persons/{ctx['person']}{tail}"


async def _register(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    response = await c.post("/v1/persons", json=person_body(), headers={**REGISTRAR, **h})
    ctx["person"], ctx["pin"] = response.json()["id"], response.json()["pin"]
    return response


async def _add_spouse(
    c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]
) -> httpx.Response:
    response = await c.post(_p(ctx, "/family-members"), json=SPOUSE, headers={**REGISTRAR, **h})
    ctx["spouse"] = response.json()["id"]
    return response


async def _depart(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    body = {"departed_on": "2025-03-01", "destination_country": "RU"}
    response = await c.post(_p(ctx, "/departures"), json=body, headers={**REGISTRAR, **h})
    ctx["departure"] = response.json()["id"]
    return response


async def _correct(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    body = {"reason": "misread stamp", "changes": {"date": "2025-03-02"}}
    url = _p(ctx, f"/movements/{ctx['departure']}/corrections")
    return await c.post(url, json=body, headers={**REGISTRAR, **h})


async def _withdraw_spouse(
    c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]
) -> httpx.Response:
    url = _p(ctx, f"/family-members/{ctx['spouse']}/consent-withdrawals")
    return await c.post(url, json={"reason": "asked"}, headers={**REGISTRAR, **h})


async def _mark(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    body = {"kind": "disability", "note": "Uses a wheelchair."}
    response = await c.post(_p(ctx, "/markers"), json=body, headers={**REGISTRAR, **h})
    ctx["marker"] = response.json()["id"]
    return response


async def _unmark(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    url = _p(ctx, f"/markers/{ctx['marker']}/withdrawal")
    return await c.post(url, json={"reason": "recorded in error"}, headers={**REGISTRAR, **h})


def _get(tail: str, headers: dict[str, str] = SUPERVISOR, **params: str) -> Call:
    async def call(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
        return await c.get(_p(ctx, tail.format(**ctx)), params=params, headers={**headers, **h})

    return call


def _patch(tail: str, body: dict[str, Any]) -> Call:
    async def call(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
        url = _p(ctx, tail.format(**ctx))
        etag = (await c.get(url, headers=REGISTRAR)).headers["ETag"]
        return await c.patch(url, json=body, headers={**REGISTRAR, "If-Match": etag, **h})

    return call


async def _search(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    return await c.get("/v1/persons", params={"q": "Abdykadyrov"}, headers={**SUPERVISOR, **h})


async def _at_risk(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    # A migrant abroad with a child and no spouse on record: the child is at risk.
    parent = (await c.post("/v1/persons", json=person_body(), headers=REGISTRAR)).json()["id"]
    await c.post(f"/v1/persons/{parent}/family-members", json=_child(), headers=REGISTRAR)
    body = {"departed_on": "2025-03-01", "destination_country": "RU"}
    await c.post(f"/v1/persons/{parent}/departures", json=body, headers=REGISTRAR)
    return await c.get("/v1/at-risk-children", headers={**SUPERVISOR, **h})


async def _status(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    body = {"status": "missing", "date": "2025-06-01", "source": "family"}
    return await c.post(_p(ctx, "/status-events"), json=body, headers={**REGISTRAR, **h})


async def _return(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    body = {"returned_on": "2025-05-01", "reason": "contract_end"}
    return await c.post(_p(ctx, "/returns"), json=body, headers={**REGISTRAR, **h})


async def _upload(c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]) -> httpx.Response:
    body = person_body()
    content = ",".join(body) + "\n" + ",".join(str(v) for v in body.values()) + "\n"
    files = {"file": ("list.csv", content.encode())}
    answer = await c.post(
        "/v1/imports", data={"kind": "persons"}, files=files, headers={**REGISTRAR, **h}
    )
    ctx["import"] = answer.json()["id"]
    return answer


async def _read_import(
    c: httpx.AsyncClient, ctx: dict[str, Any], h: dict[str, str]
) -> httpx.Response:
    return await c.get(f"/v1/imports/{ctx['import']}", headers={**REGISTRAR, **h})


P = "/v1/persons/{person_id}"
M = P + "/family-members/{member_id}"
# In order: each call may use what the ones before it made.
CALLS: list[tuple[tuple[str, str], Call]] = [
    (("POST", "/v1/persons"), _register),
    (("GET", P), _get("")),
    (("PATCH", P), _patch("", {"locality": "Кара-Суу"})),
    (("GET", "/v1/persons"), _search),
    (("POST", P + "/family-members"), _add_spouse),
    (("GET", P + "/family-members"), _get("/family-members")),
    (("GET", M), _get("/family-members/{spouse}")),
    (("PATCH", M), _patch("/family-members/{spouse}", {"language": "ru"})),
    (("GET", P + "/family-contacts"), _get("/family-contacts", REGISTRAR)),
    (("POST", M + "/consent-withdrawals"), _withdraw_spouse),
    (("POST", P + "/departures"), _depart),
    (("POST", P + "/movements/{movement_id}/corrections"), _correct),
    (("GET", "/v1/at-risk-children"), _at_risk),
    (("POST", P + "/returns"), _return),
    (("GET", P + "/movements"), _get("/movements", include_superseded="true")),
    (("POST", P + "/status-events"), _status),
    (("GET", P + "/status-events"), _get("/status-events")),
    (("POST", P + "/markers"), _mark),
    (("GET", P + "/markers"), _get("/markers")),
    (("GET", P + "/protection"), _get("/protection", CONSULAR)),
    (("POST", P + "/markers/{marker_id}/withdrawal"), _unmark),
    (("POST", "/v1/imports"), _upload),
    (("GET", "/v1/imports/{job_id}"), _read_import),
]


def _events(url: str, request_id: str) -> list[tuple[str, str, str | None]]:
    with psycopg.connect(psycopg_url(url)) as conn:
        rows = conn.execute(
            "SELECT resource_type, resource_id, person_id::text FROM audit_events "
            "WHERE request_id = %s ORDER BY seq",
            (request_id,),
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def _shown(body: Any) -> list[dict[str, Any]]:
    return list(body["items"]) if "items" in body else [body]


def _check_one_event_per_record(
    key: tuple[str, str], body: Any, events: list[tuple[str, str, str | None]]
) -> None:
    records = [(e[0], e[1]) for e in events]
    assert len(records) == len(set(records)), f"{key}: a record audited twice: {events}"
    audited_ids = {e[1] for e in events}
    for item in _shown(body):
        record_id = item.get("id") or item.get("family_member_id")
        assert record_id in audited_ids, f"{key}: {record_id} shown but not audited"
        owner = item.get("person_id", record_id if "pin" in item else None)
        if owner:  # the event names whose record it is
            assert (record_id, owner) in {(e[1], e[2]) for e in events}, (key, item, events)
    shown_ids = {str(v) for item in _shown(body) for v in item.values() if isinstance(v, str)}
    assert audited_ids <= shown_ids, f"{key}: audited records the answer did not show"


async def test_each_declared_route_writes_one_event_per_record_it_shows(
    registry_app: FastAPI,
    registry: httpx.AsyncClient,
    make_person: MakePerson,
    database_urls: dict[str, str],
) -> None:
    declared = {k for k, r in _routes(registry_app).items() if declaration(r.endpoint)}
    assert {key for key, _ in CALLS} == declared, "a declared route with no call here, or stale"
    await make_person(last_name_latin="Abdykadyrov")  # a second person for the search
    ctx: dict[str, Any] = {}
    for key, call in CALLS:
        request_id = f"walk-{uuid.uuid4()}"
        response = await call(registry, ctx, {"X-Request-ID": request_id})
        assert response.status_code < 300, (key, response.text)
        body = response.json()
        assert _shown(body), f"{key}: the walk must show at least one record"
        events = _events(database_urls["registry"], request_id)
        assert events, f"{key}: answered people data without an audit event"
        _check_one_event_per_record(key, body, events)
