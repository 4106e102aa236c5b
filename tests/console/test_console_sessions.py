"""Server-side session records: sign-out ends every copy of the cookie, on every replica."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI

from services.console.app import create_app
from services.console.session_store import MemorySessionStore, PgSessionStore, new_session_id
from services.console.settings import ConsoleSettings
from shared.embedded_pg import DatabaseServer
from tests.support.tokens import AUTH

COOKIE = "migreg_console"


@pytest.fixture(scope="module")
def console_database(database_server: DatabaseServer) -> str:
    return database_server.ensure_database("test_console_sessions")


def _settings(database_url: str | None) -> ConsoleSettings:
    return ConsoleSettings(auth=AUTH, log_level="WARNING", database_url=database_url)


async def _client(stack: AsyncExitStack, app: FastAPI) -> httpx.AsyncClient:
    await stack.enter_async_context(app.router.lifespan_context(app))
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")
    return await stack.enter_async_context(client)


@pytest.fixture
async def replicas(console_database: str) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    """Two console processes sharing one session database (a user's browser hits either)."""
    async with AsyncExitStack() as stack:
        first = await _client(stack, create_app(_settings(console_database)))
        second = await _client(stack, create_app(_settings(console_database)))
        yield first, second


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/sign-in")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def _sign_in(client: httpx.AsyncClient) -> str:
    data = {"role": "auditor", "csrf_token": await _csrf(client)}
    assert (await client.post("/sign-in/dev", data=data)).status_code == 303
    cookie = client.cookies.get(COOKIE)
    assert cookie
    return cookie


async def _signed_in(client: httpx.AsyncClient, cookie: str) -> bool:
    client.cookies.set(COOKIE, cookie)
    response = await client.get("/audit", follow_redirects=False)
    return not (response.status_code == 303 and response.headers["location"].startswith("/sign-in"))


async def _sign_out(client: httpx.AsyncClient) -> None:
    response = await client.post("/sign-out", data={"csrf_token": await _csrf(client)})
    assert response.status_code == 303


async def test_a_copied_cookie_is_signed_out_with_its_session_on_every_replica(replicas):
    first, second = replicas
    copy = await _sign_in(first)
    assert await _signed_in(second, copy), "the other replica knows the session"
    await _sign_out(first)
    assert not await _signed_in(second, copy)
    assert not await _signed_in(first, copy)


async def test_one_sign_out_leaves_other_sessions_alone(replicas):
    first, second = replicas
    mine = await _sign_in(first)
    other = await _sign_in(second)
    await _sign_out(second)
    assert await _signed_in(first, mine)
    assert not await _signed_in(first, other)


async def test_without_a_database_the_process_keeps_the_records():
    async with AsyncExitStack() as stack:
        client = await _client(stack, create_app(_settings(None)))
        copy = await _sign_in(client)
        await _sign_out(client)
        assert not await _signed_in(client, copy)


async def test_a_record_past_its_end_is_not_alive(console_database):
    for store in (PgSessionStore(console_database), MemorySessionStore()):
        await store.open()
        try:
            ended, current = new_session_id(), new_session_id()
            await store.add(ended, "someone", int(time.time()) - 1)
            await store.add(current, "someone", int(time.time()) + 60)
            assert not await store.alive(ended)
            assert await store.alive(current)
            await store.end(current)
            assert not await store.alive(current)
        finally:
            await store.close()
