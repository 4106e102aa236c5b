"""Family SMS in process: the consular relay, the real registry and notifications apps,
and the notifications worker run by hand, so a test can place "now" inside quiet hours
through the settings (never by faking the clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from services.consular.family.models import OutboxItem
from services.notifications.settings import NotificationsSettings
from services.notifications.worker import work
from shared.outbox.relay import Relay
from tests.consular.conftest import ALMATY, MOSCOW, open_case
from tests.support.tokens import bearer

REGISTRAR = bearer("registrar")


@pytest.fixture
async def relay(consular_app: FastAPI, notifications_app: FastAPI) -> AsyncIterator[Relay]:
    url = consular_app.state.settings.notifications_url
    consular_app.state.peers.route(url, httpx.ASGITransport(app=notifications_app))
    yield consular_app.state.relay
    consular_app.state.peers.route(url, None)


async def _drain(consular_app: FastAPI, relay: Relay) -> None:
    """Run every row now, including status checks scheduled for later."""
    async with consular_app.state.sessionmaker() as session, session.begin():
        await session.execute(update(OutboxItem).values(next_attempt_at=datetime.now(UTC)))
    while await relay.run_once():
        pass


async def test_an_sms_held_by_quiet_hours_is_on_the_timeline_and_raises_a_task(
    registry: httpx.AsyncClient,
    consular: httpx.AsyncClient,
    consular_app: FastAPI,
    relay: Relay,
    notifications_settings: NotificationsSettings,
) -> None:
    person = await registry.post(
        "/v1/persons",
        json={"pin": "21503199012345", "last_name": "Абдыкадыров", "first_name": "Бакыт",
              "sex": "M", "birth_date": "1990-03-15", "region": "KG-C"},
        headers=REGISTRAR,
    )  # fmt: skip
    await registry.post(
        f"/v1/persons/{person.json()['id']}/family-members",
        json={"relation": "spouse", "last_name": "Абдыкадырова", "first_name": "Айгүл",
              "birth_date": "1992-06-01", "phone": "+996555987656", "language": "ky",
              "sms_consent": True},
        headers=REGISTRAR,
    )  # fmt: skip
    case = await open_case(consular, person=None, person_id=person.json()["id"], notify_family=True)
    await _drain(consular_app, relay)  # contacts asked, SMS queued at notifications

    # Quiet hours from this hour to the next, in the recipient's zone: "now" is inside.
    hour = datetime.now(ZoneInfo("Asia/Bishkek")).hour
    night = {"quiet_hours_start": hour, "quiet_hours_end": (hour + 1) % 24}
    await work(notifications_settings.model_copy(update=night), once=True)
    await _drain(consular_app, relay)
    events = (await consular.get(f"/v1/cases/{case['id']}/timeline", headers=MOSCOW)).json()
    sms = [e["data"] for e in events["items"] if e["kind"] == "family_sms"]
    assert [s["status"] for s in sms] == ["requested", "queued", "deferred"]
    assert sms[-1]["summary"].startswith("SMS to +996 *** ** 56: deferred ")
    assert "quiet hours in Asia/Bishkek" in sms[-1]["summary"]
    tasks = (await consular.get("/v1/tasks", headers=MOSCOW)).json()["items"]
    assert [t["case_id"] for t in tasks] == [case["id"]]
    assert "deferred" in tasks[0]["detail"] and "Call the family" in tasks[0]["detail"]
    assert (await consular.get("/v1/tasks", headers=ALMATY)).json()["items"] == []
