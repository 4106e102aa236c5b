"""Restricted vulnerability markers in the registry: registrars record and
withdraw them; a consular supervisor reads them; everyone else gets the one
404 whether or not the person has markers, and no other answer changes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.registry.conftest import REGISTRAR, SPOUSE, MakePerson
from tests.support.tokens import bearer

SUPERVISOR = bearer("consular_supervisor", subject="hq-supervisor")
# Callers with no need to read markers (the officer without a consulate never
# reaches consular: the open-case rule is tested with the live services).
NO_NEED = {
    "registrar": REGISTRAR,
    "analyst": bearer("analyst", subject="stat-office"),
    "auditor": bearer("auditor", subject="audit-office"),
    "admin": bearer("admin", subject="root"),
    "service": bearer("service", scopes=("registry:read", "registry:contacts")),
    "officer without consulate": bearer("consular_officer", subject="lost-officer"),
}


async def mark(
    registry: httpx.AsyncClient, person_id: str, kind: str = "trafficking_survivor", **extra: Any
) -> dict[str, Any]:
    response = await registry.post(
        f"/v1/persons/{person_id}/markers", json={"kind": kind, **extra}, headers=REGISTRAR
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_registrar_records_a_marker_and_a_supervisor_reads_it(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    marker = await mark(registry, person["id"], "pregnancy", note="Due in March.")
    assert marker["kind"] == "pregnancy" and marker["note"] == "Due in March."
    assert marker["recorded_by"] == "registrar-osh" and marker["recorded_at"]
    assert marker["person_id"] == person["id"] and marker["family_member_id"] is None

    listed = await registry.get(f"/v1/persons/{person['id']}/markers", headers=SUPERVISOR)
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()["items"]] == [marker["id"]]


async def test_a_supervisor_sees_an_empty_list_for_an_unmarked_person(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    listed = await registry.get(f"/v1/persons/{person['id']}/markers", headers=SUPERVISOR)
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_a_marker_on_a_family_member(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    child = {"relation": "child", "last_name": "Абдыкадырова", "first_name": "Нурай"}
    child["birth_date"] = "2019-02-01"
    added = await registry.post(
        f"/v1/persons/{person['id']}/family-members", json=child, headers=REGISTRAR
    )
    member_id = added.json()["id"]
    marker = await mark(registry, person["id"], "disability", family_member_id=member_id)
    assert marker["family_member_id"] == member_id
    listed = await registry.get(f"/v1/persons/{person['id']}/markers", headers=SUPERVISOR)
    assert listed.json()["items"][0]["family_member_id"] == member_id

    other = await make_person()
    stranger = await registry.post(
        f"/v1/persons/{other['id']}/markers",
        json={"kind": "disability", "family_member_id": member_id},
        headers=REGISTRAR,
    )
    assert stranger.status_code == 404  # not a member of this person's family


async def test_withdrawal_ends_a_marker_and_keeps_who_and_why(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    marker = await mark(registry, person["id"], "serious_illness")
    url = f"/v1/persons/{person['id']}/markers/{marker['id']}/withdrawal"
    ended = await registry.post(url, json={"reason": "recovered"}, headers=REGISTRAR)
    assert ended.status_code == 201, ended.text
    assert ended.json()["withdrawn_by"] == "registrar-osh"
    assert ended.json()["withdrawal_reason"] == "recovered" and ended.json()["withdrawn_at"]

    listed = await registry.get(f"/v1/persons/{person['id']}/markers", headers=SUPERVISOR)
    assert listed.json()["items"] == []
    again = await registry.post(url, json={"reason": "twice"}, headers=REGISTRAR)
    assert again.status_code == 409 and again.json()["type"].endswith("marker-already-withdrawn")


async def test_bad_marker_input_is_a_clear_422(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    url = f"/v1/persons/{person['id']}/markers"
    wrong = await registry.post(url, json={"kind": "sad"}, headers=REGISTRAR)
    assert wrong.status_code == 422 and "kind" in wrong.text
    marker = await mark(registry, person["id"])
    blank = await registry.post(
        f"{url}/{marker['id']}/withdrawal", json={"reason": "  "}, headers=REGISTRAR
    )
    assert blank.status_code == 422 and "reason" in blank.text


@pytest.mark.parametrize("who", ["analyst", "auditor", "admin", "service", "consular_supervisor"])
async def test_only_registrars_record_and_withdraw(
    registry: httpx.AsyncClient, make_person: MakePerson, who: str
) -> None:
    person = await make_person()
    headers = SUPERVISOR if who == "consular_supervisor" else NO_NEED[who]
    refused = await registry.post(
        f"/v1/persons/{person['id']}/markers", json={"kind": "pregnancy"}, headers=headers
    )
    assert refused.status_code == 403


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert (a.status_code, a.content) == (b.status_code, b.content)
    assert a.headers.get("ETag") == b.headers.get("ETag")


async def _answers(
    registry: httpx.AsyncClient, person: dict[str, Any], headers: dict[str, str]
) -> list[httpx.Response]:
    """Everything a caller may ask the registry about one person (one request
    id for all, so problem bodies compare byte for byte)."""
    headers = {**headers, "X-Request-ID": "leak-check"}
    base = f"/v1/persons/{person['id']}"
    return [
        await registry.get(base, headers=headers),
        await registry.get("/v1/persons", params={"pin": person["pin"]}, headers=headers),
        await registry.get("/v1/persons", params={"q": person["pin"]}, headers=headers),
        await registry.get(f"{base}/family-members", headers=headers),
        await registry.get(f"{base}/family-contacts", headers=headers),
        await registry.get(f"{base}/movements", headers=headers),
        await registry.get(f"{base}/status-events", headers=headers),
        await registry.get(f"{base}/markers", params={"state": "all"}, headers=headers),
        await registry.get(f"{base}/markers", params={"state": "withdrawn"}, headers=headers),
        await registry.get(f"{base}/markers", headers=headers),
    ]


@pytest.mark.parametrize("who", sorted(NO_NEED))
async def test_callers_without_need_learn_nothing_from_any_answer(
    registry: httpx.AsyncClient, make_person: MakePerson, who: str
) -> None:
    """The same person, asked about before and after a marker is recorded:
    byte-for-byte the same answers (markers GET included: the one 404)."""
    headers = NO_NEED[who]
    person = await make_person()
    await registry.post(
        f"/v1/persons/{person['id']}/family-members", json=SPOUSE, headers=REGISTRAR
    )
    before = await _answers(registry, person, headers)
    await mark(registry, person["id"], "trafficking_survivor", note="Rescued in 2025.")
    after = await _answers(registry, person, headers)
    for a, b in zip(before, after, strict=True):
        _same(a, b)
    markers = after[-1]
    assert markers.status_code == 404
    assert markers.json()["type"].endswith("markers-not-found")
    # ...and the same 404 as for a person nobody ever heard of, bar the id.
    unknown = await registry.get(
        "/v1/persons/00000000-0000-4000-8000-000000000000/markers",
        headers={**headers, "X-Request-ID": "leak-check"},
    )
    assert unknown.status_code == 404
    assert (
        unknown.content.replace(b"00000000-0000-4000-8000-000000000000", person["id"].encode())
        == markers.content
    )


async def test_statistics_do_not_move_with_markers(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    analyst = NO_NEED["analyst"]
    people = [await make_person() for _ in range(6)]
    for p in people:
        await registry.post(
            f"/v1/persons/{p['id']}/departures",
            json={"departed_on": "2025-03-01", "destination_country": "RU"},
            headers=REGISTRAR,
        )
    params = {"on": "2025-06-30", "by": "sex"}
    analyst = {**analyst, "X-Request-ID": "leak-check"}
    before = await registry.get("/v1/statistics/stock", params=params, headers=analyst)
    assert before.status_code == 200, before.text
    for p in people:
        await mark(registry, p["id"], "detained_abroad")
    after = await registry.get("/v1/statistics/stock", params=params, headers=analyst)
    # Counted live, so each answer's `as_of` is its own moment; all else is the same.
    assert after.status_code == 200, after.text
    assert {**before.json(), "as_of": None} == {**after.json(), "as_of": None}


async def test_the_protection_summary_is_for_the_consular_service_only(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    consular = bearer("service", scopes=("registry:markers",), subject="service:consular")
    person = await make_person()
    url = f"/v1/persons/{person['id']}/protection"
    assert (await registry.get(url, headers=consular)).json() == {
        "id": person["id"],
        "marked": False,
        "no_family_sms": False,
    }
    await mark(registry, person["id"], "disability")
    assert (await registry.get(url, headers=consular)).json()["marked"] is True
    assert (await registry.get(url, headers=consular)).json()["no_family_sms"] is False
    await mark(registry, person["id"], "violence_survivor")
    assert (await registry.get(url, headers=consular)).json()["no_family_sms"] is True
    for who, headers in NO_NEED.items():
        assert (await registry.get(url, headers=headers)).status_code == 403, who
    assert (await registry.get(url, headers=SUPERVISOR)).status_code == 403


async def test_every_marker_read_and_write_is_its_own_event_for_the_auditor(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    marker = await mark(registry, person["id"], "unaccompanied_minor")
    for _ in range(2):
        await registry.get(f"/v1/persons/{person['id']}/markers", headers=SUPERVISOR)
    await registry.post(
        f"/v1/persons/{person['id']}/markers/{marker['id']}/withdrawal",
        json={"reason": "turned 18"},
        headers=REGISTRAR,
    )
    trail = await registry.get(
        "/v1/audit-events",
        params={"resource_type": "marker", "resource_id": marker["id"]},
        headers=NO_NEED["auditor"],
    )
    assert trail.status_code == 200, trail.text
    seen = [(e["action"], e["actor"], e["person_id"]) for e in reversed(trail.json()["items"])]
    assert seen == [
        ("create", "registrar-osh", person["id"]),
        ("read", "hq-supervisor", person["id"]),
        ("read", "hq-supervisor", person["id"]),
        ("withdraw_marker", "registrar-osh", person["id"]),
    ]


async def test_marker_statistics_count_by_kind_only_and_withhold_small_cells(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    analyst = NO_NEED["analyst"]
    for _ in range(10):
        await mark(registry, (await make_person())["id"], "detained_abroad")
    for _ in range(9):
        await mark(registry, (await make_person())["id"], "pregnancy")
    answer = await registry.get("/v1/statistics/markers", headers=analyst)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["suppression_threshold"] == 10
    cells = {c["kind"]: (c["count"], c["suppressed"]) for c in body["items"]}
    assert cells["detained_abroad"] == (10, False)
    assert cells["pregnancy"] == (None, True)  # 9 is under the stricter threshold
    assert set(cells) == {
        "trafficking_survivor",
        "violence_survivor",
        "disability",
        "serious_illness",
        "pregnancy",
        "unaccompanied_minor",
        "detained_abroad",
    }
    # Counts only, and no breakdown by region (or anything) is accepted.
    assert "region" not in answer.text
    for who in ("registrar", "auditor", "service"):
        refused = await registry.get("/v1/statistics/markers", headers=NO_NEED[who])
        assert refused.status_code == 403, who


async def test_withdrawn_markers_are_listed_on_request_with_who_why_and_when(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    ended = await mark(registry, person["id"], "serious_illness")
    kept = await mark(registry, person["id"], "disability")
    base = f"/v1/persons/{person['id']}"
    await registry.post(
        f"{base}/markers/{ended['id']}/withdrawal", json={"reason": "recovered"}, headers=REGISTRAR
    )

    async def ids(state: str | None) -> list[str]:
        params = {"state": state} if state else {}
        answer = await registry.get(f"{base}/markers", params=params, headers=SUPERVISOR)
        assert answer.status_code == 200, answer.text
        return [m["id"] for m in answer.json()["items"]]

    assert await ids(None) == await ids("active") == [kept["id"]]
    assert await ids("withdrawn") == [ended["id"]]
    assert await ids("all") == [ended["id"], kept["id"]]
    withdrawn = (
        await registry.get(f"{base}/markers", params={"state": "withdrawn"}, headers=SUPERVISOR)
    ).json()["items"][0]
    assert withdrawn["withdrawn_by"] == "registrar-osh"
    assert withdrawn["withdrawal_reason"] == "recovered" and withdrawn["withdrawn_at"]
    wrong = await registry.get(f"{base}/markers", params={"state": "gone"}, headers=SUPERVISOR)
    assert wrong.status_code == 422 and "state" in wrong.text

    trail = await registry.get(
        "/v1/audit-events",
        params={"resource_type": "marker", "resource_id": ended["id"]},
        headers=NO_NEED["auditor"],
    )
    reads = [e for e in trail.json()["items"] if e["action"] == "read"]
    assert len(reads) == 3  # each time it was shown: withdrawn twice, all once


async def test_a_consular_supervisor_withdraws_a_marker_they_see(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    marker = await mark(registry, person["id"], "detained_abroad")
    url = f"/v1/persons/{person['id']}/markers/{marker['id']}/withdrawal"
    for who in ("analyst", "auditor", "admin", "service", "officer without consulate"):
        refused = await registry.post(url, json={"reason": "no"}, headers=NO_NEED[who])
        assert refused.status_code == 403, who
    ended = await registry.post(url, json={"reason": "released"}, headers=SUPERVISOR)
    assert ended.status_code == 201, ended.text
    assert ended.json()["withdrawn_by"] == "hq-supervisor"
    listed = await registry.get(f"/v1/persons/{person['id']}/markers", headers=SUPERVISOR)
    assert listed.json()["items"] == []
