"""Worker throughput against the fake HTTP gateway: one worker, then three.

    .venv/bin/python bench/notifications_throughput.py [--messages 2000]

Uses DATABASE_URL (a PostgreSQL server; a scratch database is created and
dropped) or else an embedded PostgreSQL. Each round queues N messages, starts
K worker processes (``migreg worker notifications``, provider http) and times
from their start until every message is recorded as sent; the gateway's
count of distinct client references is checked against N.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from services.notifications.settings import NotificationsSettings
from shared.embedded_pg import DatabaseServer, start_embedded
from shared.migrate import sync_url, upgrade
from tests.notifications.fake_gateway import running_gateway
from tests.notifications.test_notif_exactly_once import queue_many


def scalar(url: str, sql: str) -> int:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def run_round(url: str, gateway_url: str, workers: int, messages: int, received: list) -> float:
    scalar(url, "SELECT count(*) FROM (SELECT 1) x")
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE messages, message_events, recipients, provider_counters"))
    engine.dispose()
    asyncio.run(queue_many(NotificationsSettings(database_url=url), messages))
    env = dict(
        os.environ,
        NOTIFICATIONS_DATABASE_URL=url,
        NOTIFICATIONS_PROVIDER="http",
        NOTIFICATIONS_HTTP_GATEWAY_URL=gateway_url,
        NOTIFICATIONS_QUIET_HOURS_START="0",
        NOTIFICATIONS_QUIET_HOURS_END="0",
        NOTIFICATIONS_POLL_INTERVAL_SECONDS="0.1",
        NOTIFICATIONS_LOG_LEVEL="WARNING",
        MIGREG_AUTH_DEV_SECRET="bench",
    )
    received.clear()
    started = time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, "-m", "migreg", "worker", "notifications"], env=env)
        for _ in range(workers)
    ]
    try:
        while scalar(url, "SELECT count(*) FROM messages WHERE status = 'sent'") < messages:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    references = [r.body["client_reference"] for r in received]
    assert len(references) == len(set(references)) == messages, "a message was sent twice"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = (
            DatabaseServer(os.environ["DATABASE_URL"])
            if os.environ.get("DATABASE_URL")
            else start_embedded(Path(tmp) / "pg")
        )
        name = f"bench_notifications_{os.getpid()}"
        server.drop_database(name)
        url = server.ensure_database(name)
        upgrade("notifications", url)
        try:
            with running_gateway() as gateway:
                results = {}
                for workers in (1, 3):
                    elapsed = run_round(url, gateway.url, workers, args.messages, gateway.received)
                    results[workers] = args.messages / elapsed
                    print(
                        f"{workers} worker(s): {args.messages} messages in {elapsed:.1f} s = "
                        f"{results[workers]:.0f} messages/s"
                    )
                print(f"three workers / one worker = {results[3] / results[1]:.2f}")
        finally:
            server.drop_database(name)
            if not os.environ.get("DATABASE_URL"):
                server.stop()


if __name__ == "__main__":
    main()
