"""Jurisdiction: officers see and change only their consulate's cases (others are 404),
supervisors see all and move cases between consulates; assignments stay in the consulate."""

from __future__ import annotations

import httpx

from tests.consular.conftest import (
    ALMATY,
    ANALYST,
    MOSCOW,
    MOSCOW_2,
    SUPERVISOR,
    SteppedClock,
    case_body,
    open_case,
)
from tests.support.tokens import bearer


async def test_another_consulates_case_does_not_exist_for_an_officer(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    base = f"/v1/cases/{case['id']}"
    etag = {"If-Match": 'W/"1"'}
    attempts = [
        consular.get(base, headers=ALMATY),
        consular.get(f"{base}/timeline", headers=ALMATY),
        consular.get(f"{base}/referrals", headers=ALMATY),
        consular.post(
            f"{base}/transitions", json={"to": "in_progress"}, headers={**ALMATY, **etag}
        ),
        consular.post(f"{base}/notes", json={"text": "peek"}, headers=ALMATY),
        consular.post(f"{base}/assignments", json={"assignee": "officer.almaty"}, headers=ALMATY),
        consular.post(
            f"{base}/referrals", json={"organization": "IOM", "reason": "x"}, headers=ALMATY
        ),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.request.url
    assert (await consular.get("/v1/cases", headers=ALMATY)).json()["items"] == []
    assert (await consular.get(base, headers=MOSCOW)).status_code == 200
    # Nothing the Almaty officer tried left a mark.
    timeline = (await consular.get(f"{base}/timeline", headers=MOSCOW)).json()["items"]
    assert [e["kind"] for e in timeline] == ["created"]


async def test_an_officer_token_without_a_consulate_is_refused(
    consular: httpx.AsyncClient,
) -> None:
    response = await consular.get("/v1/cases", headers=bearer("consular_officer"))
    assert response.status_code == 403


async def test_a_consulate_claim_that_is_not_a_code_is_an_invalid_token(
    consular: httpx.AsyncClient,
) -> None:
    for claim in ("RU-MOW-AND-MORE", "ru-mow", "MOSCOW"):
        odd = bearer("consular_officer", consulate=claim, subject="officer.odd")
        listed = await consular.get("/v1/cases", headers=odd)
        assert listed.status_code == 401, claim
        assert listed.headers["content-type"] == "application/problem+json"
        opened = await consular.post("/v1/cases", json=case_body(), headers=odd)
        assert opened.status_code == 401, claim


async def test_a_subject_too_long_to_record_is_an_invalid_token(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    long = bearer("consular_officer", consulate="RU-MOW", subject="o" * 201)
    assert (await consular.get("/v1/cases", headers=long)).status_code == 401
    opened = await consular.post("/v1/cases", json=case_body(), headers=long)
    assert opened.status_code == 401
    noted = await consular.post(
        f"/v1/cases/{case['id']}/notes", json={"text": "hello"}, headers=long
    )
    assert noted.status_code == 401


async def test_a_supervisor_sees_all_and_transfers_a_case(consular: httpx.AsyncClient) -> None:
    moscow = await open_case(consular)
    almaty = await open_case(consular, ALMATY, consulate="KZ-ALA")
    listed = (await consular.get("/v1/cases", headers=SUPERVISOR)).json()["items"]
    assert {c["id"] for c in listed} == {moscow["id"], almaty["id"]}
    only_kz = await consular.get("/v1/cases?consulate=KZ-ALA", headers=SUPERVISOR)
    assert [c["id"] for c in only_kz.json()["items"]] == [almaty["id"]]

    url = f"/v1/cases/{moscow['id']}/transfer"
    body = {"consulate": "KZ-ALA", "reason": "The worker moved to Almaty."}
    assert (await consular.post(url, json=body, headers=SUPERVISOR)).status_code == 428
    by_officer = await consular.post(url, json=body, headers={**MOSCOW, "If-Match": 'W/"1"'})
    assert by_officer.status_code == 403
    same = await consular.post(
        url, json={**body, "consulate": "RU-MOW"}, headers={**SUPERVISOR, "If-Match": 'W/"1"'}
    )
    assert same.status_code == 422
    moved = await consular.post(url, json=body, headers={**SUPERVISOR, "If-Match": 'W/"1"'})
    assert moved.status_code == 200, moved.text
    assert moved.json()["consulate"] == "KZ-ALA"
    assert moved.json()["case_number"] == moscow["case_number"]  # families keep the number

    assert (await consular.get(f"/v1/cases/{moscow['id']}", headers=MOSCOW)).status_code == 404
    timeline = await consular.get(f"/v1/cases/{moscow['id']}/timeline", headers=ALMATY)
    event = timeline.json()["items"][-1]
    assert event["kind"] == "transferred"
    assert event["actor"] == "supervisor.hq"
    assert event["data"]["from_consulate"] == "RU-MOW"
    assert event["data"]["to_consulate"] == "KZ-ALA"
    assert event["data"]["reason"] == "The worker moved to Almaty."


async def test_assignment_only_to_an_officer_of_the_cases_consulate(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    # Officers become assignable by working a case: a colleague notes this one, an
    # officer elsewhere opens one of their own.
    noted = await consular.post(
        f"/v1/cases/{case['id']}/notes", json={"text": "I can take it."}, headers=MOSCOW_2
    )
    assert noted.status_code == 201
    await open_case(consular, ALMATY, consulate="KZ-ALA")
    url = f"/v1/cases/{case['id']}/assignments"
    v1 = {**MOSCOW, "If-Match": 'W/"1"'}
    for stranger in ("officer.almaty", "nobody.we.know"):
        refused = await consular.post(url, json={"assignee": stranger}, headers=v1)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "assignee"
    colleague = {"assignee": "officer.moscow.2"}
    assert (await consular.post(url, json=colleague, headers=MOSCOW)).status_code == 428
    stale = await consular.post(url, json=colleague, headers={**MOSCOW, "If-Match": 'W/"9"'})
    assert stale.status_code == 412
    assigned = await consular.post(url, json=colleague, headers=v1)
    assert assigned.status_code == 201
    assert assigned.json()["assignee"] == "officer.moscow.2"
    assert assigned.json()["version"] == 2 and assigned.headers["ETag"] == 'W/"2"'
    again = await consular.post(url, json={"assignee": "officer.moscow"}, headers=v1)
    assert again.status_code == 412  # a colleague's assignment is not silently overwritten
    mine = await consular.get("/v1/cases?assignee=officer.moscow.2", headers=MOSCOW_2)
    assert [c["id"] for c in mine.json()["items"]] == [case["id"]]
    event = (await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)).json()
    assert event["items"][-1]["kind"] == "assignment"
    assert event["items"][-1]["data"] == {"assignee": "officer.moscow.2"}


async def test_no_filter_or_search_reaches_another_consulates_cases(
    consular: httpx.AsyncClient, clock: SteppedClock
) -> None:
    moscow = await open_case(consular, priority="critical")
    referral = await consular.post(
        f"/v1/cases/{moscow['id']}/referrals",
        json={"organization": "IOM Moscow", "reason": "Shelter"},
        headers=MOSCOW,
    )
    assert referral.status_code == 201
    answer = await consular.post(
        f"/v1/cases/{moscow['id']}/referrals/{referral.json()['id']}/status",
        json={"status": "accepted"},
        headers=ALMATY,
    )
    assert answer.status_code == 404
    clock.advance(hours=25)  # the Moscow case is now overdue
    for params in (
        {"q": moscow["case_number"]},
        {"q": "Осмонов"},
        {"consulate": "RU-MOW"},
        {"overdue": "true"},
        {"overdue": "true", "consulate": "RU-MOW"},
    ):
        listed = await consular.get("/v1/cases", params=params, headers=ALMATY)
        assert listed.status_code == 200
        assert listed.json()["items"] == [], params
    found = await consular.get("/v1/cases", params={"overdue": "true"}, headers=MOSCOW)
    assert [c["id"] for c in found.json()["items"]] == [moscow["id"]]
    referrals = await consular.get(f"/v1/cases/{moscow['id']}/referrals", headers=MOSCOW)
    assert referrals.json()["items"][0]["status"] == "proposed"  # Almaty's answer did not land


async def test_analysts_get_no_case_at_all(consular: httpx.AsyncClient) -> None:
    case = await open_case(consular)
    for url in (f"/v1/cases/{case['id']}", f"/v1/cases/{case['id']}/timeline"):
        response = await consular.get(url, headers=ANALYST)
        assert response.status_code == 403, url
        assert response.headers["content-type"] == "application/problem+json"
