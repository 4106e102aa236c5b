"""The server's own guard on a request head (shared/http_head.py), tried with a raw
socket: a head not complete within the deadline is answered 408 and the connection
closed (slowloris), a head one byte over the bound 431; slow bodies, idle keep-alive
connections and normal requests are left alone."""

from __future__ import annotations

import json
import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from http.client import HTTPResponse

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from shared.limits import RequestLimits
from tests.support.live import LiveSystem, free_port
from tests.support.tokens import TEST_SECRET

HEAD_TIMEOUT = 1.0
SLACK = 1.5  # two busy shared cores
IDLE_TIMEOUT = 3.0  # uvicorn's keep-alive timeout on the test server, above HEAD_TIMEOUT
LIMITS = RequestLimits(request_head_timeout_seconds=HEAD_TIMEOUT)
BOUND: int = LIMITS.uvicorn_options()["http"].head_limit


async def echo_length(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body and answers 200 with its length."""
    length, more = 0, True
    while more:
        message = await receive()
        length += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = str(length).encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """A uvicorn server in this process, with the services' protocol and a short deadline."""
    port = free_port()
    config = uvicorn.Config(
        echo_length,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_keep_alive=int(IDLE_TIMEOUT),
        **LIMITS.uvicorn_options(),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def head(**headers: str) -> bytes:
    lines = ["GET / HTTP/1.1", "Host: test", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def padded_head(size: int) -> bytes:
    """A complete GET head of exactly ``size`` bytes."""
    bare = len(head(**{"X-Pad": ""}))
    data = head(**{"X-Pad": "x" * (size - bare)})
    assert len(data) == size
    return data


def until_closed(sock: socket.socket, started: float, within: float) -> tuple[bytes, float]:
    """All the server sends until it closes the connection, and when it closed (seconds
    after ``started``); fails if it is still open ``within`` seconds after ``started``."""
    received = b""
    while True:
        sock.settimeout(max(started + within - time.monotonic(), 0.001))
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        except TimeoutError:
            message = f"still open after {within} s; received {received[:80]!r}"
            raise AssertionError(message) from None
        if not chunk:
            return received, time.monotonic() - started
        received += chunk


def problem(answer: bytes, status: int) -> dict[str, object]:
    head_part, _, body = answer.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").lower().split("\r\n")
    assert lines[0].startswith(f"http/1.1 {status} "), answer[:200]
    assert "content-type: application/problem+json" in lines
    document: dict[str, object] = json.loads(body)
    assert document["status"] == status
    return document


def timed_out(sock: socket.socket, started: float) -> dict[str, object]:
    """The 408 problem, the connection closed a deadline (not sooner) after ``started``."""
    answer, closed = until_closed(sock, started, HEAD_TIMEOUT + SLACK)
    assert closed >= HEAD_TIMEOUT - 0.1
    return problem(answer, 408)


def trickle(sock: socket.socket, data: bytes) -> None:
    """Sends ``data`` a byte every 0.5 s, until the server answers."""
    for byte in data:
        sock.sendall(bytes([byte]))
        if select.select([sock], [], [], 0.5)[0]:
            return


def exchange(sock: socket.socket, request: bytes) -> tuple[int, bytes]:
    """One request and its response on a kept-alive connection."""
    sock.sendall(request)
    response = HTTPResponse(sock)
    response.begin()
    return response.status, response.read()


def test_a_head_trickled_a_byte_at_a_time_is_408_and_the_connection_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.monotonic()
        trickle(sock, head(**{"X-Slow": "loris" * 20}))  # over a minute's worth
        refusal = timed_out(sock, started)
    assert refusal["detail"] == "The request head was not complete within 1 s."
    with socket.create_connection(("127.0.0.1", port)) as sock:
        assert exchange(sock, head()) == (200, b"0")  # the server still serves


def test_half_a_head_then_silence_is_408_and_the_connection_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\nHost: te")
        timed_out(sock, started)


def test_blank_lines_sent_slowly_are_408(port: int) -> None:
    """Blank lines before a request line are allowed, and each one used to restart
    uvicorn's idle timeout: no way to hold a connection either."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.monotonic()
        trickle(sock, b"\r\n" * 20)
        timed_out(sock, started)


def test_on_a_kept_alive_connection_the_deadline_starts_with_the_next_request(
    port: int,
) -> None:
    """Idle between requests is not the head's time (uvicorn's idle timeout is longer)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        assert exchange(sock, head()) == (200, b"0")
        time.sleep(2 * HEAD_TIMEOUT)
        assert exchange(sock, head()) == (200, b"0")
        time.sleep(2 * HEAD_TIMEOUT)
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\n")
        timed_out(sock, started)


def test_a_body_may_stream_slowly_after_a_head_in_time(port: int) -> None:
    """The deadline covers the head only; the next request's head has its own."""
    body = b"slow!"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\n")
        for byte in body:  # 3 s for the body: three deadlines
            time.sleep(0.6)
            sock.sendall(bytes([byte]))
        response = HTTPResponse(sock)
        response.begin()
        assert (response.status, response.read()) == (200, b"5")
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\n")
        timed_out(sock, started)


def test_a_head_of_the_bound_is_read_and_one_byte_more_is_431(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        assert exchange(sock, padded_head(BOUND)) == (200, b"0")
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(padded_head(BOUND + 1))
        answer, _ = until_closed(sock, time.monotonic(), SLACK)
    assert problem(answer, 431)["detail"] == f"The request head is over {BOUND} bytes."


def test_a_head_pipelined_behind_a_request_is_bounded_too(port: int) -> None:
    """Both in one send, so the oversized head begins inside a read, after a body. The
    first request is answered, then the connection closed, with a 431 only when the
    first answer went out before (answers go in order)."""
    first = b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(first + padded_head(BOUND + 1))
        answer, _ = until_closed(sock, time.monotonic(), SLACK)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    _, _, after = answer.partition(b"\r\n\r\n3")
    if after:
        problem(after, 431)


def test_a_connection_that_never_sends_a_byte_is_closed_when_idle(port: int) -> None:
    """uvicorn's idle timeout used to start only after a first response."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        answer, closed = until_closed(sock, time.monotonic(), IDLE_TIMEOUT + SLACK)
    assert answer == b""
    assert closed >= IDLE_TIMEOUT - 0.1


@pytest.mark.e2e
def test_the_registry_takes_its_head_deadline_from_its_settings(
    database_urls: dict[str, str],
) -> None:
    """``migreg serve`` with REGISTRY_REQUEST_HEAD_TIMEOUT_SECONDS, as an operator sets it."""
    url = f"http://127.0.0.1:{free_port()}"
    system = LiveSystem(
        urls={"registry": url},
        env=dict(
            os.environ,
            MIGREG_AUTH_DEV_SECRET=TEST_SECRET,
            REGISTRY_DATABASE_URL=database_urls["registry"],
            REGISTRY_OUTBOX_RELAY="false",  # delivers to no one in this test
            REGISTRY_REQUEST_HEAD_TIMEOUT_SECONDS=str(HEAD_TIMEOUT),
        ),
    )
    try:
        system.serve("registry")
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as sock:
            started = time.monotonic()
            sock.sendall(b"GET /readyz HTTP/1.1\r\nHost: registry\r\n")
            timed_out(sock, started)
    finally:
        system.stop("registry")


@pytest.mark.parametrize(
    "request_bytes",
    [b"GET / HTTP/1.1\r\nHost: test\r\nBad\x01Name: x\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00"],
    ids=["control byte in a header name", "a TLS hello on the plain port"],
)
def test_bytes_that_are_not_http_get_a_400_problem(port: int, request_bytes: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request_bytes)
        answer, _ = until_closed(sock, time.monotonic(), SLACK)
    assert problem(answer, 400)["detail"] == "The request is not valid HTTP/1.1."
