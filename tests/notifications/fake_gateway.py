"""A real HTTP SMS gateway stand-in: records every request and can be told to
answer slowly, fail with a 5xx or a 4xx, or drop the connection."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeGateway:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    default: str = "ok"  # ok, slow, 500, 400, drop
    slow_seconds: float = 2.0
    script: deque[str] = field(default_factory=deque)  # behaviours for the next requests
    # Numbers the gateway always refuses (400), like a disconnected subscriber.
    refused_numbers: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def behave(self, *behaviours: str, then: str = "ok") -> None:
        with self.lock:
            self.script = deque(behaviours)
            self.default = then

    def next_behaviour(self) -> str:
        with self.lock:
            return self.script.popleft() if self.script else self.default

    def record(self, item: Received) -> int:
        with self.lock:
            self.received.append(item)
            return next(self._ids)

    def references(self) -> list[str]:
        with self.lock:
            return [r.body.get("client_reference", "") for r in self.received]

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.script.clear()
            self.refused_numbers.clear()
            self.default = "ok"
            self.slow_seconds = 2.0
            self._ids = itertools.count(1)


def _handler(gateway: FakeGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real gateway

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up waiting (a timeout)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            behaviour = gateway.next_behaviour()
            if behaviour == "drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._answer(400, {"error": "not json"})
                return
            # Recorded on arrival: a slow answer still counts as received.
            number = gateway.record(Received(self.path, dict(self.headers), body))
            if behaviour == "slow":
                time.sleep(gateway.slow_seconds)
            if str(body.get("to", "")).lstrip("+") in gateway.refused_numbers:
                behaviour = "400"
            if behaviour == "500":
                self._answer(503, {"error": "try later"})
            elif behaviour == "400":
                self._answer(400, {"error": "invalid destination"})
            else:
                self._answer(200, {"message_id": f"gw-{number}", "status": "accepted"})

    return Handler


@contextmanager
def running_gateway() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    server.daemon_threads = True
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
