"""httptools, the fast HTTP/1.1 parser, with a bound and a deadline on the request head.

httptools reads a request head of any size (a 16 MiB header was read in full,
tried), and h11, which bounds it, costs about 1.5 ms more per request
(bench/http_parser.py): most of a PIN lookup's budget. uvicorn times out only a
connection idle after a response, so a head sent slowly, or half a head and then
nothing, held a connection for ever. This protocol answers, and closes the
connection:

- 431 as soon as the bytes received for a head pass the bound: the parser is fed
  at most what is left of the bound at a time, so it never reads a byte past it;
- 408 when a head is not complete within the deadline from its first byte (a
  body may then stream as slowly as it likes: the body limits apply to it);
- 400 as problem+json, like every other refusal, for bytes that are not HTTP.

A head's bytes are those received since the previous request ended, blank lines
before the request line included. When a head begins inside a piece fed to the
parser after an earlier request ended in it (pipelining), the piece's bytes
outside bodies count toward it: never fewer than its own, so the bound holds.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.errors import PROBLEM_BASE, PROBLEM_JSON


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    head_limit = 64 * 1024
    head_timeout = 10.0
    _head_open = False  # a request line has begun, its head is not complete yet
    _in_body = False  # a head is complete, its request's body is not
    _head_bytes = 0  # received toward the head awaited
    _heads_done = 0
    _body_bytes = 0
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn's idle timeout starts only after a response: start it on a new
        # connection too, or one that never sends a byte is held for ever.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True

    def on_headers_complete(self) -> None:
        self._head_open, self._in_body, self._head_bytes = False, True, 0
        self._heads_done += 1
        self._stop_deadline()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_body = False
        super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        rest = memoryview(data)
        while rest:
            budget = self.head_limit - self._head_bytes
            if budget <= 0:  # the head awaited has all the bound and is not complete
                self._refuse(
                    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    f"The request head is over {self.head_limit} bytes.",
                )
                return
            # A head may begin anywhere in a piece, so no piece is larger than the budget.
            piece, rest = rest[:budget], rest[budget:]
            waiting, heads_done, body_bytes = not self._in_body, self._heads_done, self._body_bytes
            super().data_received(piece)  # type: ignore[arg-type]  # httptools takes a memoryview
            if self.transport.is_closing() or self.transport.get_protocol() is not self:
                return  # refused as malformed, or now a WebSocket
            # Bytes received for a head still awaited: one begun, or blank lines so far.
            if not (self._head_open or (waiting and heads_done == self._heads_done)):
                self._head_bytes = 0
                continue
            self._head_bytes += len(piece) - (self._body_bytes - body_bytes)
            if self._deadline is None:
                self._deadline = self.loop.call_later(self.head_timeout, self._head_overdue)

    def _head_overdue(self) -> None:
        self._deadline = None
        self._refuse(
            HTTPStatus.REQUEST_TIMEOUT,
            f"The request head was not complete within {self.head_timeout:g} s.",
        )

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def send_400_response(self, msg: str) -> None:
        # uvicorn's own answer to bytes httptools cannot parse is text/plain; every
        # other refusal of this service is problem+json.
        self._refuse(HTTPStatus.BAD_REQUEST, "The request is not valid HTTP/1.1.")

    def _refuse(self, status: HTTPStatus, detail: str) -> None:
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # An earlier request (pipelined) is still being answered, and answers go in
            # order: ours would be taken for its. Finish that one, then close; read no more.
            self.cycle.keep_alive = False
            self.flow.pause_reading()
            return
        body = json.dumps(
            {
                "type": PROBLEM_BASE + status.phrase.lower().replace(" ", "-"),
                "title": status.phrase,
                "status": status.value,
                "detail": detail,
            }
        ).encode()
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\ncontent-type: {PROBLEM_JSON}\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + body)
        self.transport.close()


def bounded_httptools(
    head_limit: int, head_timeout: float = 10.0
) -> type[BoundedHttpToolsProtocol]:
    """The protocol class uvicorn instantiates, with this bound and deadline on every head."""
    return type(
        "BoundedHttpTools",
        (BoundedHttpToolsProtocol,),
        {"head_limit": head_limit, "head_timeout": head_timeout},
    )
