"""Oversized requests are refused before they are read: 413 for bodies, 431 for headers."""

from __future__ import annotations

import select
import socket
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.live import LiveSystem
from tests.support.tokens import bearer

REGISTRAR = bearer("registrar")
MIB = 1024 * 1024


async def test_a_declared_large_body_is_413_without_reading_it(
    registry: httpx.AsyncClient,
) -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(150):
            pulled += 1
            yield b"x" * MIB

    response = await registry.post(
        "/v1/persons",
        content=body(),
        headers={**REGISTRAR, "Content-Length": str(150 * MIB), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert pulled <= 1


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(
    registry: httpx.AsyncClient,
) -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        yield b'{"last_name": "'
        for _ in range(150):
            pulled += 1
            yield b"x" * (64 * 1024)

    response = await registry.post(
        "/v1/persons", content=body(), headers={**REGISTRAR, "Content-Type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert pulled <= 17  # a little over the 1 MiB default, not the 9.4 MiB offered


async def test_a_body_under_the_limit_is_still_read(registry: httpx.AsyncClient) -> None:
    response = await registry.post(
        "/v1/persons",
        content=b'{"padding": "' + b"x" * (MIB // 2) + b'"}',
        headers={**REGISTRAR, "Content-Type": "application/json"},
    )
    assert response.status_code == 422  # read and validated, not refused for size


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Padding": "x" * (9 * 1024)},  # one header over 8 KiB
        {f"X-Padding-{i}": "x" * 4000 for i in range(5)},  # 20 KiB in all
    ],
)
async def test_oversized_headers_are_431(
    registry: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await registry.get("/v1/persons", headers={**REGISTRAR, **headers})
    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.e2e
def test_the_live_registry_answers_413_before_a_huge_body_is_sent(live: LiveSystem) -> None:
    """150 MiB announced, nothing sent: the answer comes at once, so nothing was buffered."""
    url = urlsplit(live.urls["registry"])
    head = (
        f"POST /v1/persons HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: {REGISTRAR['Authorization']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {150 * MIB}\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"x" * 1024)
        readable, _, _ = select.select([sock], [], [], 10)
        assert readable, "no answer while the body was still unsent"
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "application/problem+json" in answer


@pytest.mark.e2e
def test_the_live_registry_refuses_a_huge_header(live: LiveSystem) -> None:
    """A 1 MiB header is cut off by the server (its head bound), not read in full; a
    16-64 KiB one gets the app's 431; the service keeps serving."""
    url = f"{live.urls['registry']}/v1/persons"
    try:
        status = httpx.get(
            url, headers={**REGISTRAR, "X-Padding": "x" * MIB}, timeout=10
        ).status_code
    except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
        status = None  # the connection was cut while we were still sending
    assert status in (None, 400, 431)
    padded = {**REGISTRAR, **{f"X-Padding-{i}": "x" * 4000 for i in range(8)}}
    assert httpx.get(url, headers=padded, timeout=10).status_code == 431
    assert httpx.get(url, headers=REGISTRAR, timeout=10).status_code == 200


@pytest.mark.e2e
def test_the_live_registry_stops_reading_a_head_that_never_ends(live: LiveSystem) -> None:
    """A head that keeps coming (16 KiB at a time, never finished) is answered 431 once
    it passes the server's bound, while the client is still sending: not read forever."""
    url = urlsplit(live.urls["registry"])
    sent = 0
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(f"GET /v1/persons HTTP/1.1\r\nHost: {url.netloc}\r\nX-Padding: ".encode())
        readable: list[socket.socket] = []
        while not readable and sent < 4 * MIB:
            try:
                sock.sendall(b"x" * 16_384)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 16_384
            readable, _, _ = select.select([sock], [], [], 0.05)
        answer = sock.recv(65536).decode("latin-1")
    assert sent < MIB, f"the server read {sent} bytes of one head"
    assert answer.startswith("HTTP/1.1 431"), answer[:200]
    assert "application/problem+json" in answer
    assert httpx.get(live.urls["registry"] + "/v1/persons", headers=REGISTRAR).status_code == 200
