"""Reads never write: an officer reading cases leaves no row behind; an officer becomes
assignable by working a case (opening, noting, moving, assigning), as before."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from tests.consular.conftest import MOSCOW, open_case
from tests.support.tokens import bearer

NEWCOMER = bearer("consular_officer", consulate="RU-MOW", subject="officer.moscow.new")


async def _officers(app: FastAPI) -> list[Any]:
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT subject, consulate, last_seen_at FROM officers ORDER BY subject")
        )
        return list(rows.all())


async def test_an_officer_reading_cases_writes_nothing(
    consular: httpx.AsyncClient, consular_app: FastAPI
) -> None:
    case = await open_case(consular)
    before = await _officers(consular_app)
    assert [row.subject for row in before] == ["officer.moscow"]
    for path in (
        "/v1/cases",
        f"/v1/cases/{case['id']}",
        f"/v1/cases/{case['id']}/timeline",
        f"/v1/cases/{case['id']}/referrals",
        "/v1/whoami",
    ):
        response = await consular.get(path, headers=NEWCOMER)
        assert response.status_code == 200, (path, response.text)
    assert await _officers(consular_app) == before


async def test_an_officer_is_assignable_once_they_have_worked_a_case(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    url = f"/v1/cases/{case['id']}/assignments"
    to_newcomer = {"assignee": "officer.moscow.new"}
    await consular.get("/v1/cases", headers=NEWCOMER)  # reading makes nobody known
    unknown = await consular.post(url, json=to_newcomer, headers={**MOSCOW, "If-Match": 'W/"1"'})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "assignee"

    noted = await consular.post(
        f"/v1/cases/{case['id']}/notes", json={"text": "Called the family."}, headers=NEWCOMER
    )
    assert noted.status_code == 201
    assigned = await consular.post(url, json=to_newcomer, headers={**MOSCOW, "If-Match": 'W/"1"'})
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["assignee"] == "officer.moscow.new"
    mine = await consular.get("/v1/cases?assignee=officer.moscow.new", headers=NEWCOMER)
    assert [c["id"] for c in mine.json()["items"]] == [case["id"]]
