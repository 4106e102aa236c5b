"""Leases under slow sends: renewed when a message may go, sends bounded,
settings that could outrun the lease refused, every attempt recorded."""

from __future__ import annotations

import asyncio
import collections

import httpx
import pytest
from pydantic import ValidationError

from services.notifications.delivery.decide import decide
from services.notifications.delivery.record import record
from services.notifications.delivery.send import send
from services.notifications.settings import NotificationsSettings
from services.notifications.worker import deliver, work
from tests.notifications.fake_gateway import FakeGateway
from tests.notifications.notif_support import claim_for, fetch, queue, sql, workers


def test_settings_refuse_a_lease_shorter_than_a_batch_of_sends() -> None:
    with pytest.raises(ValidationError, match=r"lease_seconds \(30\) must exceed 48"):
        NotificationsSettings(
            lease_seconds=30, batch_size=20, send_concurrency=8, send_timeout_seconds=8
        )
    ok = NotificationsSettings(
        lease_seconds=49, batch_size=20, send_concurrency=8, send_timeout_seconds=8
    )
    assert ok.lease_seconds == 49


async def test_one_send_is_cut_off_after_the_send_timeout(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    gateway.slow_seconds = 1.5  # under httpx's own (per phase) timeout of 5 s
    gateway.behave("slow")
    settings = http_settings.model_copy(
        update={"http_timeout_seconds": 5.0, "send_timeout_seconds": 0.3, "retry_base_seconds": 30}
    )
    queued = await queue(notifications)
    await asyncio.wait_for(work(settings, once=True), 1.4)
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "queued" and message["attempts"] == 1
    assert "send took over 0.3 s" in message["history"][-1]["detail"]


async def test_an_answer_after_the_lease_was_lost_is_still_in_the_history(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    queued = await queue(notifications)
    async with workers(http_settings, "stalled", "other") as (stalled, other):
        [sms] = await decide(stalled.sessions, http_settings, stalled.id, await claim_for(stalled))
        # It stalls past its lease; another worker takes the message over and sends it.
        sql(http_settings.database_url, "UPDATE messages SET lease_expires_at = now()")
        await deliver(other, await claim_for(other))
        result = await send(stalled.provider, sms, http_settings.send_timeout_seconds)
        await record(
            stalled.sessions,
            http_settings,
            worker_id=stalled.id,
            provider=stalled.provider.name,
            rng=stalled.rng,
            message_id=sms.message_id,
            result=result,
        )
    message = await fetch(notifications, queued["id"])
    assert message["status"] == "sent" and message["attempts"] == 1
    late = message["history"][-1]
    assert late["kind"] == "sent_after_lease_lost" and late["detail"] == "provider id gw-2"
    assert gateway.references() == [queued["id"], queued["id"]]  # at-least-once, recorded


async def test_a_slow_batch_keeps_its_lease_and_a_second_worker_sends_nothing_twice(
    notifications: httpx.AsyncClient, http_settings: NotificationsSettings, gateway: FakeGateway
) -> None:
    # Two waves of two sends of 0.35 s; the lease (2 s) is renewed when the
    # care rules decide. The first worker stalls 1.6 s between claim and
    # decide, so its sends end after the claim-time lease would have lapsed.
    settings = http_settings.model_copy(
        update={
            "lease_seconds": 2.0,
            "batch_size": 4,
            "send_concurrency": 2,
            "send_timeout_seconds": 0.45,
            "poll_interval_seconds": 0.05,
        }
    )
    NotificationsSettings.model_validate(settings.model_dump())  # a configuration we accept
    gateway.slow_seconds = 0.35
    gateway.behave(then="slow")
    ids = {(await queue(notifications, reference=f"slow-{i}"))["id"] for i in range(4)}
    async with workers(settings, "first") as (first,):
        claimed = await claim_for(first)
        assert len(claimed) == 4
        second = asyncio.create_task(work(settings, stop_after=3.0, worker_id="second"))
        await asyncio.sleep(1.6)
        await deliver(first, claimed)
        await second
    references = collections.Counter(gateway.references())
    assert set(references) == ids
    assert max(references.values()) == 1, references
    for message_id in ids:
        assert (await fetch(notifications, message_id))["status"] == "sent"
