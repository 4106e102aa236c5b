"""Helpers for the notifications tests: tokens, requests, signatures, SQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from services.notifications.callbacks.signature import sign
from services.notifications.delivery.claim import claim
from services.notifications.providers import make_provider
from services.notifications.settings import NotificationsSettings
from services.notifications.worker import Worker
from shared.db import make_engine, make_sessionmaker
from shared.migrate import sync_url
from tests.support.tokens import bearer

SENDER = bearer("service", scopes=("notifications:send",), subject="service:consular")
PROVIDER = bearer("service", scopes=("notifications:callbacks",), subject="provider:gateway")
ADMIN = bearer("admin")
KG_PHONE = "+996700123456"


def message_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "to": KG_PHONE,
        "template": "case_opened",
        "language": "ky",
        "params": {"case_number": "RU-MOW-2026-000123", "hotline": "+74951234567"},
        "reference": "case-1",
    }
    body.update(overrides)
    return body


async def queue(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/messages", json=message_body(**overrides), headers=SENDER)
    assert response.status_code == 202, response.text
    result: dict[str, Any] = response.json()
    return result


async def fetch(client: httpx.AsyncClient, message_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/messages/{message_id}", headers=SENDER)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def signed(body: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return raw, {**PROVIDER, "X-Signature": sign(raw, secret), "Content-Type": "application/json"}


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    """A direct look at (or nudge to) the database, as an operator would."""
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


@asynccontextmanager
async def workers(settings: NotificationsSettings, *worker_ids: str) -> AsyncIterator[list[Worker]]:
    """In-process workers with these ids, sharing one engine, each with its provider."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    found = [Worker(settings, sessions, make_provider(settings), id=w) for w in worker_ids]
    try:
        yield found
    finally:
        for worker in found:
            await worker.provider.aclose()
        await engine.dispose()


async def claim_for(worker: Worker) -> list[uuid.UUID]:
    return await claim(worker.sessions, worker.settings, worker.id)
