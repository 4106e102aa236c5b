"""Markers across the real services: an officer reads a person's markers only
while their consulate has an open case for the person (the registry asks the
consular process), and a marked person's case opens at least ``high``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.consular.conftest import ALMATY, MOSCOW, REGISTRAR, case_body, register_person
from tests.support.live import LiveSystem
from tests.support.tokens import bearer

pytestmark = pytest.mark.e2e  # starts the services as separate processes

SAME_ID = {"X-Request-ID": "leak-check"}


async def _markers(registry: httpx.AsyncClient, pid: str, who: dict[str, str]) -> httpx.Response:
    return await registry.get(f"/v1/persons/{pid}/markers", headers={**who, **SAME_ID})


async def _transition(
    consular: httpx.AsyncClient, case: dict[str, Any], to: str, **extra: Any
) -> dict[str, Any]:
    response = await consular.post(
        f"/v1/cases/{case['id']}/transitions",
        json={"to": to, **extra},
        headers={**MOSCOW, "If-Match": f'W/"{case["version"]}"'},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_an_officer_reads_markers_only_while_their_consulate_has_an_open_case(
    live: LiveSystem,
) -> None:
    async with (
        httpx.AsyncClient(base_url=live.urls["registry"], timeout=20) as registry,
        httpx.AsyncClient(base_url=live.urls["consular"], timeout=20) as consular,
    ):
        pid = (await register_person(registry))["id"]
        unmarked = await _markers(registry, pid, MOSCOW)
        marked = await registry.post(
            f"/v1/persons/{pid}/markers", json={"kind": "violence_survivor"}, headers=REGISTRAR
        )
        assert marked.status_code == 201, marked.text
        # No case yet: the same 404 as before the marker existed.
        before_case = await _markers(registry, pid, MOSCOW)
        assert before_case.status_code == 404
        assert before_case.content == unmarked.content

        opened = await consular.post(
            "/v1/cases", json=case_body(person=None, person_id=pid), headers=MOSCOW
        )
        assert opened.status_code == 201, opened.text
        case = opened.json()
        assert case["priority"] == "high" and case["priority_reason"]  # asked "normal"

        during = await _markers(registry, pid, MOSCOW)
        assert during.status_code == 200, during.text
        assert [m["kind"] for m in during.json()["items"]] == ["violence_survivor"]
        # Another consulate's officer has no case for the person: nothing.
        elsewhere = await _markers(registry, pid, ALMATY)
        assert elsewhere.status_code == 404 and elsewhere.content == unmarked.content

        case = await _transition(consular, case, "in_progress")
        await _transition(consular, case, "resolved", resolution="assisted")
        after = await _markers(registry, pid, MOSCOW)
        assert after.status_code == 404 and after.content == unmarked.content


async def test_only_the_registry_may_ask_whether_a_case_is_open(live: LiveSystem) -> None:
    async with httpx.AsyncClient(base_url=live.urls["consular"], timeout=20) as consular:
        url = "/v1/persons/00000000-0000-4000-8000-000000000000/open-cases"
        params = {"consulate": "RU-MOW"}
        registry_token = bearer("service", scopes=("cases:open-for-person",))
        answer = await consular.get(url, params=params, headers=registry_token)
        assert answer.status_code == 200 and answer.json() == {"open": False}
        for who in (MOSCOW, bearer("consular_supervisor"), bearer("service", scopes=("x",))):
            assert (await consular.get(url, params=params, headers=who)).status_code == 403
        bad = await consular.get(url, params={"consulate": "moscow"}, headers=registry_token)
        assert bad.status_code == 422 and "consulate" in bad.text


async def test_with_consular_down_an_officer_gets_a_503_never_a_guess(live: LiveSystem) -> None:
    async with httpx.AsyncClient(base_url=live.urls["registry"], timeout=20) as registry:
        pid = (await register_person(registry))["id"]
        live.stop("consular")
        try:
            down = await _markers(registry, pid, MOSCOW)
        finally:
            live.serve("consular")
        assert down.status_code == 503 and down.headers["Retry-After"]
        assert down.json()["type"].endswith("peer-unavailable")
