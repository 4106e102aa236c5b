"""Server-side session records: sign-out ends every copy of the cookie, on every replica."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.console.app import create_app
from services.console.session_store import (
    MemorySessionStore,
    PgSessionStore,
    console_sessions,
    new_session_id,
)
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


@pytest.fixture
async def console(console_database: str) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    async with AsyncExitStack() as stack:
        app = create_app(_settings(console_database))
        client = await _client(stack, app)
        client.cookies.set("lang", "en")
        yield client, app


async def _stored(app: FastAPI) -> int:
    async with app.state.session_store.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(console_sessions)))


def _field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="f-{field}-error">([^<]+)</p>', page)
    assert found is not None, f"no error next to {field}"
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', page), field
    return found.group(1)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"role": "registrar", "name": "a\x00b"}, "name", "cannot be stored"),
        ({"role": "registrar", "name": "a\u202eb"}, "name", "cannot be stored"),
        ({"role": "registrar", "name": "a\x07b"}, "name", "cannot be stored"),
        ({"role": "consular_officer", "consulate": "\x00"}, "consulate", "Choose one"),
        ({"role": "consular_officer", "consulate": "ru-mow"}, "consulate", "Choose one"),
        ({"role": "registrar", "consulate": "RU-MOW-1"}, "consulate", "Choose one"),
    ],
)
async def test_a_dev_sign_in_with_an_unstorable_field_is_refused_next_to_it(
    console, form, field, message
):
    client, app = console
    before = await _stored(app)
    response = await client.post("/sign-in/dev", data={**form, "csrf_token": await _csrf(client)})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert message in _field_error(response.text, field)
    assert 'action="/sign-in/dev"' in response.text  # the form again, to correct
    assert await _stored(app) == before
    assert COOKIE not in client.cookies or not await _signed_in(client, client.cookies[COOKIE])


async def test_a_consular_officer_signs_in_with_a_consulate_code(console):
    client, app = console
    data = {"role": "consular_officer", "consulate": "RU-MOW", "name": " Айгүл ", "csrf_token": ""}
    data["csrf_token"] = await _csrf(client)
    before = await _stored(app)
    assert (await client.post("/sign-in/dev", data=data)).status_code == 303
    assert await _stored(app) == before + 1


async def test_a_dev_sign_in_goes_home_when_next_is_no_page(console):
    client, _ = console
    data = {"role": "registrar", "next": "/persons\x00", "csrf_token": await _csrf(client)}
    response = await client.post("/sign-in/dev", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/"
