"""Three worker processes, a thousand messages: the gateway gets each exactly once."""

from __future__ import annotations

import asyncio
import collections
import time

import pytest

from services.notifications.messages.service import NewMessage, accept
from services.notifications.settings import NotificationsSettings
from shared.db import make_engine, make_sessionmaker
from tests.notifications.fake_gateway import FakeGateway
from tests.notifications.notif_support import sql
from tests.support.live import LiveSystem

pytestmark = pytest.mark.e2e  # starts the services as separate processes

COUNT = 1000


async def queue_many(settings: NotificationsSettings, count: int) -> set[str]:
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            ids = set()
            for i in range(count):
                message = await accept(
                    session,
                    NewMessage(
                        to=f"+996700{i:06d}",
                        template="case_opened",
                        language="ky" if i % 2 else "ru",
                        params={"case_number": f"RU-MOW-2026-{i:06d}", "hotline": "+74951234567"},
                        reference=f"bulk-{i}",
                    ),
                    caller="service:consular",
                    settings=settings,
                )
                ids.add(str(message.id))
            return ids
    finally:
        await engine.dispose()


def senders(settings: NotificationsSettings) -> int:
    """How many distinct workers have sent something so far."""
    query = "SELECT count(DISTINCT worker) FROM message_events WHERE kind = 'sent'"
    return int(sql(settings.database_url, query)[0][0])


def worker_env(live: LiveSystem, gateway: FakeGateway) -> LiveSystem:
    return LiveSystem(
        urls=live.urls,
        env={
            **live.env,
            "NOTIFICATIONS_PROVIDER": "http",
            "NOTIFICATIONS_HTTP_GATEWAY_URL": gateway.url,
            "NOTIFICATIONS_QUIET_HOURS_START": "0",
            "NOTIFICATIONS_QUIET_HOURS_END": "0",
            "NOTIFICATIONS_POLL_INTERVAL_SECONDS": "0.2",
            "NOTIFICATIONS_LOG_LEVEL": "WARNING",
        },
    )


async def test_three_workers_send_a_thousand_messages_each_exactly_once(
    notifications_settings: NotificationsSettings, live: LiveSystem, gateway: FakeGateway
) -> None:
    ids = await queue_many(notifications_settings, COUNT)
    workers = worker_env(live, gateway)
    names = ["worker-1", "worker-2", "worker-3"]
    try:
        for name in names:
            workers.start(name, ["worker", "notifications"])
        deadline = time.monotonic() + 60
        stopped_one = False
        while time.monotonic() < deadline:
            sent = len(gateway.references())
            if sent >= COUNT // 3 and not stopped_one and senders(notifications_settings) == 3:
                workers.stop("worker-1")  # SIGTERM mid-run: finishes its batch, then exits
                stopped_one = True
            done = sql(
                notifications_settings.database_url,
                "SELECT count(*) FROM messages WHERE status = 'sent'",
            )[0][0]
            if done == COUNT:
                break
            await asyncio.sleep(0.2)
    finally:
        for name in list(workers.processes):
            workers.stop(name)
    references = collections.Counter(gateway.references())
    assert set(references) == ids
    assert max(references.values()) == 1, references.most_common(3)
    by_worker = dict(
        sql(
            notifications_settings.database_url,
            "SELECT worker, count(*) FROM message_events WHERE kind = 'sent' GROUP BY worker",
        )
    )
    assert sum(by_worker.values()) == COUNT
    assert len(by_worker) == 3  # all three took part
