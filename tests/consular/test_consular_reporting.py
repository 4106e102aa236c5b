"""Case statistics for analysts (small cells suppressed) and the family status query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from tests.consular.conftest import (
    ADMIN,
    ALMATY,
    ANALYST,
    MOSCOW,
    SUPERVISOR,
    SteppedClock,
    move,
    open_case,
)
from tests.support.tokens import bearer

STATUS_SERVICE = bearer("service", scopes=("cases:status",))


async def test_statistics_count_cases_and_suppress_small_cells(
    consular: httpx.AsyncClient, clock: SteppedClock
) -> None:
    for _ in range(6):
        await open_case(consular)
    for _ in range(2):
        await open_case(consular, ALMATY, consulate="KZ-ALA", category="death")
    response = await consular.get(
        "/v1/case-statistics", params={"by": "consulate,category"}, headers=ANALYST
    )
    assert response.status_code == 200
    body = response.json()
    assert body["by"] == ["consulate", "category"]
    assert body["suppression_threshold"] == 5
    cells = {(c["consulate"], c["category"]): c for c in body["cells"]}
    assert cells[("RU-MOW", "wage_theft")]["count"] == 6
    assert cells[("RU-MOW", "wage_theft")]["suppressed"] is False
    assert cells[("KZ-ALA", "death")] == {
        "consulate": "KZ-ALA",
        "category": "death",
        "status": None,
        "month": None,
        "count": None,
        "suppressed": True,
    }
    by_month = await consular.get(
        "/v1/case-statistics", params={"by": "month,status"}, headers=SUPERVISOR
    )
    (cell,) = by_month.json()["cells"]
    assert cell["status"] == "open" and cell["count"] == 8 and len(cell["month"]) == 7
    today = clock.now.date()  # a fixed clock: no flakiness at midnight
    window = {"by": "consulate", "opened_from": str(today), "opened_to": str(today)}
    current = (await consular.get("/v1/case-statistics", params=window, headers=ANALYST)).json()
    # The 6 goes too: beside a lone withheld 2 it would give it back (total minus 6).
    assert {c["consulate"]: c["count"] for c in current["cells"]} == {
        "KZ-ALA": None,
        "RU-MOW": None,
    }
    earlier = {"by": "consulate", "opened_to": str(today - timedelta(days=1))}
    past = await consular.get("/v1/case-statistics", params=earlier, headers=ANALYST)
    assert past.json()["cells"] == []
    backwards = {"opened_from": str(today), "opened_to": str(today - timedelta(days=1))}
    refused = await consular.get("/v1/case-statistics", params=backwards, headers=ANALYST)
    assert refused.status_code == 422


async def test_statistics_refuse_bad_dimensions_and_case_workers(
    consular: httpx.AsyncClient,
) -> None:
    bad = await consular.get("/v1/case-statistics", params={"by": "name"}, headers=ANALYST)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "by.0"
    assert bad.json()["errors"][0]["in"] == "query"
    for empty in ("by=", "by=category,", "by=category&by="):
        blank = await consular.get(f"/v1/case-statistics?{empty}", headers=ANALYST)
        assert blank.status_code == 422, empty
        assert blank.json()["errors"][0]["field"].startswith("by"), empty
    # The schema says each key once (uniqueItems): a repeat is the client's mistake.
    for twice in ("by=month&by=month", "by=month,category,month"):
        repeated = await consular.get(f"/v1/case-statistics?{twice}", headers=ANALYST)
        assert repeated.status_code == 422, twice
        assert repeated.json()["errors"][0]["field"] == "by"
        assert "given twice" in repeated.json()["errors"][0]["reason"]
    officer = await consular.get("/v1/case-statistics", headers=MOSCOW)
    assert officer.status_code == 403


@pytest.fixture
async def moscow_hotline(consular: httpx.AsyncClient) -> AsyncIterator[str]:
    """An administrator sets RU-MOW's hotline; consulates outlive a test, so it is undone."""
    url = "/v1/consulates/RU-MOW"
    before = await consular.get(url, headers=ADMIN)
    set_ = await consular.patch(
        url,
        json={"hotline": "+7 495 000-11-22"},
        headers={**ADMIN, "If-Match": before.headers["ETag"]},
    )
    assert set_.status_code == 200, set_.text
    yield set_.json()["hotline"]
    await consular.patch(
        url,
        json={"hotline": before.json()["hotline"]},
        headers={**ADMIN, "If-Match": set_.headers["ETag"]},
    )


async def test_the_status_query_tells_only_status_update_and_hotline(
    consular: httpx.AsyncClient, moscow_hotline: str
) -> None:
    assert moscow_hotline == "+74950001122"
    case = await move(consular, await open_case(consular), "in_progress")
    url = f"/v1/cases/by-number/{case['case_number']}/status"
    response = await consular.get(url, headers=STATUS_SERVICE)
    assert response.status_code == 200
    assert response.json() == {
        "case_number": case["case_number"],
        "status": "in_progress",
        "updated_at": response.json()["updated_at"],
        "consulate": "RU-MOW",
        "hotline": "+74950001122",
        "person_id": None,
    }
    assert datetime.fromisoformat(response.json()["updated_at"]) == datetime.fromisoformat(
        case["updated_at"]
    )
    assert (await consular.get(url)).status_code == 401
    unknown = await consular.get(
        "/v1/cases/by-number/RU-MOW-1999-000001/status", headers=STATUS_SERVICE
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    other_scope = bearer("service", scopes=("registry:read",))
    assert (await consular.get(url, headers=other_scope)).status_code == 403
    assert (await consular.get(url, headers=MOSCOW)).status_code == 403
