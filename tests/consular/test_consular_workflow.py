"""The checked workflow with If-Match, resolutions, reopening, and the timeline."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from shared.migrate import sync_url
from tests.consular.conftest import ADMIN, MOSCOW, MOSCOW_2, SUPERVISOR, move, open_case
from tests.support.cursors import forged_cursor


def _if_match(case: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'W/"{case["version"]}"'}


async def test_a_case_walks_the_whole_workflow_and_the_timeline_shows_it(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    case = await move(consular, case, "in_progress", note="Called the worker.")
    case = await move(consular, case, "awaiting_information", note="Asked employer for contract")
    case = await move(consular, case, "in_progress")
    case = await move(consular, case, "referred")
    case = await move(consular, case, "resolved", resolution="wages_recovered", note="Paid.")
    assert case["resolution"] == "wages_recovered"
    assert case["sla_state"] == "met"
    assert case["allowed_transitions"] == ["closed", "in_progress"]
    case = await move(consular, case, "closed")
    assert case["allowed_transitions"] == []  # reopening a closed case is for supervisors

    response = await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)
    events = response.json()["items"]
    assert [e["kind"] for e in events] == ["created"] + ["transition"] * 6
    moves = [(e["data"]["from"], e["data"]["to"]) for e in events[1:]]
    assert moves == [
        ("open", "in_progress"),
        ("in_progress", "awaiting_information"),
        ("awaiting_information", "in_progress"),
        ("in_progress", "referred"),
        ("referred", "resolved"),
        ("resolved", "closed"),
    ]
    assert events[1]["data"]["note"] == "Called the worker."
    assert events[5]["data"]["resolution"] == "wages_recovered"
    assert all(e["actor"] == "officer.moscow" for e in events)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)


async def test_a_disallowed_move_is_a_409_naming_the_allowed_states(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    response = await consular.post(
        f"/v1/cases/{case['id']}/transitions",
        json={"to": "resolved", "resolution": "assisted"},
        headers={**MOSCOW, **_if_match(case)},
    )
    assert response.status_code == 409
    assert response.json()["allowed"] == ["in_progress"]
    assert response.json()["current"] == "open"
    assert "in_progress" in response.json()["detail"]


async def test_if_match_is_required_and_a_stale_one_is_refused(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    missing = await consular.post(
        f"/v1/cases/{case['id']}/transitions", json={"to": "in_progress"}, headers=MOSCOW
    )
    assert missing.status_code == 428
    # Two officers read version 1; the first one's move wins, the second is told to re-read.
    await move(consular, case, "in_progress", headers=MOSCOW)
    stale = await consular.post(
        f"/v1/cases/{case['id']}/transitions",
        json={"to": "in_progress"},
        headers={**MOSCOW_2, **_if_match(case)},
    )
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == 'W/"2"'


async def test_resolving_needs_a_resolution_and_only_resolving_takes_one(
    consular: httpx.AsyncClient,
) -> None:
    case = await move(consular, await open_case(consular), "in_progress")
    headers = {**MOSCOW, **_if_match(case)}
    url = f"/v1/cases/{case['id']}/transitions"
    without = await consular.post(url, json={"to": "resolved"}, headers=headers)
    assert without.status_code == 422
    assert without.json()["errors"][0]["field"] == "resolution"
    assert "repatriated" in without.json()["detail"]
    misplaced = await consular.post(
        url, json={"to": "awaiting_information", "resolution": "assisted"}, headers=headers
    )
    assert misplaced.status_code == 422
    unknown = await consular.post(
        url, json={"to": "resolved", "resolution": "magic"}, headers=headers
    )
    assert unknown.status_code == 422


async def test_reopening_a_closed_case_is_for_supervisors(consular: httpx.AsyncClient) -> None:
    case = await move(consular, await open_case(consular), "in_progress")
    case = await move(consular, case, "resolved", resolution="assisted")
    reopened = await move(consular, case, "in_progress")  # officers reopen resolved cases
    assert reopened["resolution"] is None
    case = await move(consular, reopened, "resolved", resolution="released")
    case = await move(consular, case, "closed")
    refused = await consular.post(
        f"/v1/cases/{case['id']}/transitions",
        json={"to": "in_progress"},
        headers={**MOSCOW, **_if_match(case)},
    )
    assert refused.status_code == 409
    assert "supervisor" in refused.json()["detail"]
    reopened = await move(consular, case, "in_progress", headers=SUPERVISOR, note="Family called")
    assert reopened["status"] == "in_progress"
    assert reopened["sla_state"] in ("green", "amber")


async def test_administrators_read_cases_but_do_not_work_them(
    consular: httpx.AsyncClient,
) -> None:
    case = await open_case(consular)
    read = await consular.get(f"/v1/cases/{case['id']}", headers=ADMIN)
    assert read.status_code == 200
    assert read.json()["allowed_transitions"] == []
    assert read.headers["ETag"] == 'W/"1"'
    refused = await consular.post(
        f"/v1/cases/{case['id']}/transitions",
        json={"to": "in_progress"},
        headers={**ADMIN, **_if_match(case)},
    )
    assert refused.status_code == 403


async def test_family_notification_on_resolution(consular: httpx.AsyncClient) -> None:
    case = await move(consular, await open_case(consular), "in_progress")
    url = f"/v1/cases/{case['id']}/transitions"
    early = await consular.post(
        url,
        json={"to": "awaiting_information", "notify_family": True},
        headers={**MOSCOW, **_if_match(case)},
    )
    assert early.status_code == 422
    case = await move(consular, case, "resolved", resolution="assisted", notify_family=True)
    assert case["notify_family"] is True
    events = (await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)).json()
    requested, not_sent, task = events["items"][-3:]
    assert requested["kind"] == "family_notification_requested"
    assert requested["data"] == {"on": "resolution"}
    # An unregistered person has no known family contacts: the officer must call.
    assert not_sent["kind"] == "family_sms_not_sent"
    assert task["kind"] == "follow_up_task" and "not registered" in task["data"]["detail"]
    # Reopened and resolved again without it: the earlier intent does not carry over.
    reopened = await move(consular, case, "in_progress")
    assert reopened["notify_family"] is False
    again = await move(consular, reopened, "resolved", resolution="other")
    assert again["notify_family"] is False
    kinds = [
        e["kind"]
        for e in (await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)).json()[
            "items"
        ]
    ]
    assert kinds.count("family_notification_requested") == 1

    death = await move(consular, await open_case(consular, category="death"), "in_progress")
    refused = await consular.post(
        f"/v1/cases/{death['id']}/transitions",
        json={"to": "resolved", "resolution": "remains_repatriated", "notify_family": True},
        headers={**MOSCOW, **_if_match(death)},
    )
    assert refused.status_code == 422
    assert "must contact the family" in refused.json()["detail"]


async def test_the_timeline_cannot_be_rewritten(
    consular: httpx.AsyncClient, database_urls: dict[str, str]
) -> None:
    case = await move(consular, await open_case(consular), "in_progress")
    engine = create_engine(sync_url(database_urls["consular"]))
    try:
        for statement in (
            "UPDATE case_events SET actor = 'someone-else'",
            "DELETE FROM case_events",
        ):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM case_events")).scalar_one()
        assert count == 2
    finally:
        engine.dispose()
    timeline = await consular.get(f"/v1/cases/{case['id']}/timeline?limit=1", headers=MOSCOW)
    page = timeline.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = await consular.get(
        f"/v1/cases/{case['id']}/timeline?limit=1&cursor={page['next_cursor']}", headers=MOSCOW
    )
    assert rest.json()["items"][0]["kind"] == "transition"
    assert rest.json()["next_cursor"] is None
    url = f"/v1/cases/{case['id']}/timeline"
    for bad in ("nonsense", forged_cursor([2**63]), forged_cursor([-1]), forged_cursor(["1"])):
        refused = await consular.get(url, params={"cursor": bad}, headers=MOSCOW)
        assert refused.status_code == 422, bad
        error = refused.json()["errors"][0]
        assert (error["field"], error["in"]) == ("cursor", "query"), refused.json()


async def test_unknown_case_is_a_404(consular: httpx.AsyncClient) -> None:
    url = "/v1/cases/00000000-0000-0000-0000-000000000000"
    assert (await consular.get(url, headers=MOSCOW)).status_code == 404
    response = await consular.post(
        f"{url}/transitions", json={"to": "in_progress"}, headers={**MOSCOW, "If-Match": 'W/"1"'}
    )
    assert response.status_code == 404


async def test_two_officers_moving_at_once_cannot_both_win(consular: httpx.AsyncClient) -> None:
    case = await move(consular, await open_case(consular), "in_progress")
    url = f"/v1/cases/{case['id']}/transitions"
    first, second = await asyncio.gather(
        consular.post(
            url,
            json={"to": "resolved", "resolution": "assisted"},
            headers={**MOSCOW, **_if_match(case)},
        ),
        consular.post(
            url, json={"to": "awaiting_information"}, headers={**MOSCOW_2, **_if_match(case)}
        ),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner = first if first.status_code == 200 else second
    final = await consular.get(f"/v1/cases/{case['id']}", headers=MOSCOW)
    assert final.json()["status"] == winner.json()["status"]
    events = (await consular.get(f"{url[: -len('/transitions')]}/timeline", headers=MOSCOW)).json()
    assert len(events["items"]) == 3  # created, in_progress, and only the winner's move
