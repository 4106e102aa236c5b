"""httptools, the fast HTTP/1.1 parser, with a bound on the request head.

httptools reads a request head of any size (a 16 MiB header was read in full,
tried), and h11, which bounds it, costs about 1.5 ms more per request
(bench/http_parser.py): most of a PIN lookup's budget. This protocol counts the
bytes fed to the parser while a head is open and, past the bound, answers 431
and closes the connection, as h11 stops reading. The bound is loose by at most
one read (the chunk in which a head begins is not counted, so pipelined bodies
are never mistaken for a head), well above the app's own 431.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.errors import PROBLEM_BASE, PROBLEM_JSON


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    head_limit = 64 * 1024
    _head_open = False
    _head_bytes = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._head_open = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        was_open = self._head_open
        super().data_received(data)
        if not (was_open and self._head_open) or self.transport.is_closing():
            return
        self._head_bytes += len(data)
        if self._head_bytes > self.head_limit:
            self._refuse_head()

    def _refuse_head(self) -> None:
        status = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
        body = json.dumps(
            {
                "type": PROBLEM_BASE + "request-header-fields-too-large",
                "title": status.phrase,
                "status": status.value,
                "detail": f"The request head is over {self.head_limit} bytes.",
            }
        ).encode()
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\ncontent-type: {PROBLEM_JSON}\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + body)
        self.transport.close()


def bounded_httptools(head_limit: int) -> type[BoundedHttpToolsProtocol]:
    """The protocol class uvicorn instantiates, with this bound on every head."""
    return type("BoundedHttpTools", (BoundedHttpToolsProtocol,), {"head_limit": head_limit})
