"""The SLA clock as officers see it: amber, red, paused while awaiting others, the
overdue filter agreeing with sla_state, configurable budgets, and the gauges."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY

from services.consular.app import create_app
from services.consular.cases.gauges import refresh_case_gauges
from services.consular.clock import clock_of
from services.consular.settings import ConsularSettings
from tests.consular.conftest import ALMATY, MOSCOW, SUPERVISOR, SteppedClock, move, open_case


async def _case(consular: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    return dict((await consular.get(f"/v1/cases/{case_id}", headers=SUPERVISOR)).json())


async def test_a_critical_case_turns_amber_then_red(
    consular: httpx.AsyncClient, clock: SteppedClock
) -> None:
    case = await open_case(consular, priority="critical")
    assert datetime.fromisoformat(case["due_at"]) == clock.now + timedelta(hours=24)
    clock.advance(hours=11)
    assert (await _case(consular, case["id"]))["sla_state"] == "green"
    clock.advance(hours=2)
    assert (await _case(consular, case["id"]))["sla_state"] == "amber"
    clock.advance(hours=12)
    late = await _case(consular, case["id"])
    assert late["sla_state"] == "red"
    overdue = await consular.get("/v1/cases?overdue=true", headers=MOSCOW)
    assert [c["id"] for c in overdue.json()["items"]] == [case["id"]]
    assert (await consular.get("/v1/cases?overdue=false", headers=MOSCOW)).json()["items"] == []


async def test_waiting_for_others_pauses_the_clock_and_is_reported_apart(
    consular: httpx.AsyncClient, clock: SteppedClock
) -> None:
    case = await open_case(consular, priority="high")  # 3 days
    first_due = datetime.fromisoformat(case["due_at"])
    case = await move(consular, case, "in_progress")
    clock.advance(days=1)
    case = await move(consular, case, "awaiting_information")
    clock.advance(days=5)  # longer than the whole SLA: still not overdue
    waiting = await _case(consular, case["id"])
    assert waiting["sla_state"] == "paused"
    assert waiting["sla"]["paused_seconds"] == 5 * 86400
    assert waiting["sla"]["active_seconds"] == 86400
    assert waiting["sla"]["clock_state"] == "green"  # one of three days used when paused
    assert (await consular.get("/v1/cases?overdue=true", headers=MOSCOW)).json()["items"] == []
    case = await move(consular, case, "in_progress")
    assert datetime.fromisoformat(case["due_at"]) == first_due + timedelta(days=5)
    assert case["sla_state"] == "green"  # one of three days used
    clock.advance(days=2, minutes=1)
    assert (await _case(consular, case["id"]))["sla_state"] == "red"


async def test_a_paused_case_shows_the_colour_it_had_and_a_finished_one_none(
    consular: httpx.AsyncClient, clock: SteppedClock
) -> None:
    case = await move(consular, await open_case(consular, priority="high"), "in_progress")
    assert case["sla"]["clock_state"] == "green"
    clock.advance(days=2)  # two of three days: amber
    case = await move(consular, case, "awaiting_information")
    clock.advance(days=10)
    waiting = await _case(consular, case["id"])
    assert (waiting["sla_state"], waiting["sla"]["clock_state"]) == ("paused", "amber")
    case = await move(consular, waiting, "resolved", resolution="assisted")
    assert (case["sla_state"], case["sla"]["clock_state"]) == ("met", None)


async def test_the_overdue_filter_agrees_with_sla_state_and_feeds_the_gauges(
    consular: httpx.AsyncClient, clock: SteppedClock, consular_app: FastAPI
) -> None:
    late = await open_case(consular, priority="critical")
    waiting = await move(consular, await open_case(consular, priority="critical"), "in_progress")
    relaxed = await open_case(consular, priority="low")
    done = await move(consular, await open_case(consular, priority="critical"), "in_progress")
    paused_late = await move(
        consular, await open_case(consular, priority="critical"), "in_progress"
    )
    elsewhere = await open_case(consular, ALMATY, consulate="KZ-ALA", priority="critical")
    clock.advance(hours=1)
    await move(consular, waiting, "awaiting_information")
    await move(consular, done, "resolved", resolution="assisted")
    clock.advance(hours=12)
    half = await open_case(consular, priority="critical")
    clock.advance(hours=12)
    await move(consular, paused_late, "awaiting_information")  # paused only after the deadline
    clock.advance(hours=1)

    everything = (await consular.get("/v1/cases", headers=SUPERVISOR)).json()["items"]
    states = {c["id"]: c["sla_state"] for c in everything}
    assert states == {
        late["id"]: "red",
        waiting["id"]: "paused",
        relaxed["id"]: "green",
        done["id"]: "met",
        paused_late["id"]: "red",
        elsewhere["id"]: "red",
        half["id"]: "amber",
    }
    overdue = (await consular.get("/v1/cases?overdue=true", headers=SUPERVISOR)).json()["items"]
    assert {c["id"] for c in overdue} == {i for i, s in states.items() if s == "red"}
    mine = (await consular.get("/v1/cases?overdue=true", headers=MOSCOW)).json()["items"]
    assert {c["id"] for c in mine} == {late["id"], paused_late["id"]}

    summary = await consular.get("/v1/cases/sla-summary", headers=SUPERVISOR)
    rows = {row["consulate"]: row for row in summary.json()["items"]}
    assert rows["RU-MOW"] == {
        "consulate": "RU-MOW",
        "unfinished": 5,
        "green": 1,
        "amber": 1,
        "red": 2,
        "paused": 1,
    }
    assert rows["KZ-ALA"]["red"] == 1 and rows["KZ-ALA"]["unfinished"] == 1
    assert rows["DE-BER"]["unfinished"] == 0
    assert (await consular.get("/v1/cases/sla-summary", headers=MOSCOW)).status_code == 403

    await refresh_case_gauges(consular_app.state.engine, clock_of(consular_app.state))
    sample = REGISTRY.get_sample_value
    assert sample("consular_cases_open", {"consulate": "RU-MOW"}) == 5
    assert sample("consular_cases_overdue", {"consulate": "RU-MOW"}) == 2
    assert sample("consular_cases_overdue", {"consulate": "KZ-ALA"}) == 1
    assert sample("consular_cases_open", {"consulate": "DE-BER"}) == 0
    metrics = (await consular.get("/metrics")).text
    assert 'consular_cases_overdue{consulate="RU-MOW"} 2.0' in metrics


async def test_sla_hours_are_configurable_and_a_scrape_refreshes_the_gauges(
    consular_settings: ConsularSettings,
) -> None:
    settings = consular_settings.model_copy(update={"sla_hours_normal": 2.0})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            case = await open_case(client, consulate="RU-MOW", priority="normal")
            opened = datetime.fromisoformat(case["opened_at"])
            assert datetime.fromisoformat(case["due_at"]) - opened == timedelta(hours=2)
            assert case["sla"]["budget_hours"] == 2.0
            metrics = (await client.get("/metrics")).text
            assert 'consular_cases_open{consulate="RU-MOW"} 1.0' in metrics


async def test_views_filter_and_summary_agree_through_reopens(
    consular: httpx.AsyncClient, clock: SteppedClock
) -> None:
    """Step through a day and a half with cases paused, resolved, closed and reopened,
    and compare each case's state with the overdue filter and the summary at every step."""
    running = await move(consular, await open_case(consular, priority="critical"), "in_progress")
    paused = await move(consular, await open_case(consular, priority="critical"), "in_progress")
    reopened = await move(consular, await open_case(consular, priority="critical"), "in_progress")
    closed = await move(consular, await open_case(consular, priority="critical"), "in_progress")
    clock.advance(hours=2)
    paused = await move(consular, paused, "awaiting_information")
    reopened = await move(consular, reopened, "resolved", resolution="assisted")
    closed = await move(consular, closed, "resolved", resolution="assisted")
    closed = await move(consular, closed, "closed")
    for hour in range(3, 40, 3):
        clock.advance(hours=3)
        if hour == 9:
            reopened = await move(consular, reopened, "in_progress")
            closed = await move(consular, closed, "in_progress", SUPERVISOR)
            paused = await move(consular, paused, "in_progress")
        if hour == 15:
            reopened = await move(consular, reopened, "resolved", resolution="other")
        if hour == 21:
            reopened = await move(consular, reopened, "in_progress")
        items = (await consular.get("/v1/cases", headers=SUPERVISOR)).json()["items"]
        states = {c["id"]: c["sla_state"] for c in items}
        overdue = (await consular.get("/v1/cases?overdue=true", headers=SUPERVISOR)).json()
        assert {c["id"] for c in overdue["items"]} == {
            i for i, s in states.items() if s == "red"
        }, hour
        summary = (await consular.get("/v1/cases/sla-summary", headers=SUPERVISOR)).json()
        moscow = next(r for r in summary["items"] if r["consulate"] == "RU-MOW")
        live = [s for s in states.values() if s not in ("met", "breached")]
        assert moscow == {
            "consulate": "RU-MOW",
            "unfinished": len(live),
            **{state: live.count(state) for state in ("green", "amber", "red", "paused")},
        }, hour
    # Worked 2 h, 6 h and 18 h; the 9 h and 6 h it spent resolved do not count.
    final = {c["id"]: c for c in items}
    assert final[reopened["id"]]["sla"]["active_seconds"] == (2 + 6 + 18) * 3600
    assert final[running["id"]]["sla_state"] == "red"


async def test_a_late_resolution_is_breached_and_closing_it_later_changes_nothing(
    consular: httpx.AsyncClient, clock: SteppedClock
) -> None:
    case = await move(consular, await open_case(consular, priority="critical"), "in_progress")
    due = case["due_at"]
    clock.advance(hours=25)
    case = await move(consular, case, "resolved", resolution="assisted")
    assert (case["sla_state"], case["due_at"]) == ("breached", due)
    clock.advance(hours=30)
    case = await move(consular, case, "closed")
    assert (case["sla_state"], case["due_at"]) == ("breached", due)
    assert case["sla"]["active_seconds"] == 25 * 3600
    reopened = await move(consular, case, "in_progress", SUPERVISOR)
    # Reopened after 30 h finished: the deadline moves out by those 30 h, and it is late.
    assert datetime.fromisoformat(reopened["due_at"]) == datetime.fromisoformat(due) + timedelta(
        hours=30
    )
    assert reopened["sla_state"] == "red"
