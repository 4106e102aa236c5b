"""A peer that answers nonsense (a stand-in for a broken deployment outside
our control, served over real HTTP) delays those questions and nothing else."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from services.notifications.settings import NotificationsSettings
from services.notifications.worker import work
from tests.notifications.notif_support import fetch, queue, signed, sql

PERSON = "6f1c2b1e-0a6b-4d8e-9a3f-2b7c1d0e5f42"
CASE = {"status": "in_progress", "updated_at": "2026-11-20T10:00:00Z", "consulate": "RU-MOW"}
# Case number -> (path -> JSON answer): each a different way of being broken.
ANSWERS: dict[str, Any] = {
    # The registry's contacts page is a list, not {"items": [...]}.
    "000111": {"hotline": "+74951234567", "person_id": PERSON, "contacts": ["+996700123456"]},
    # The hotline is a number, not a string.
    "000222": {"hotline": 74951234567, "person_id": None, "contacts": None},
}


def _answer(path: str) -> tuple[int, Any]:
    if path.startswith("/v1/cases/by-number/"):
        number = path.split("/")[4]
        serial = number.rsplit("-", 1)[-1]
        if serial not in ANSWERS:
            return 404, {"title": "Not Found"}
        shape = ANSWERS[serial]
        body = {**CASE, "case_number": number, "hotline": shape["hotline"]}
        return 200, {**body, "person_id": shape["person_id"]}
    if "/family-contacts" in path:
        return 200, ANSWERS["000111"]["contacts"]
    return 404, {"title": "Not Found"}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        status, body = _answer(self.path)
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def broken_peer() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def ask(client: httpx.AsyncClient, settings: NotificationsSettings, text: str) -> None:
    body = {"id": f"in-{text}", "from": "+996700123456", "text": text}
    raw, headers = signed(body, settings.callback_secret)
    response = await client.post("/v1/provider-callbacks/inbound", content=raw, headers=headers)
    assert response.status_code == 200, response.text


async def test_malformed_peer_answers_postpone_their_question_and_the_worker_goes_on(
    notifications: httpx.AsyncClient,
    notifications_settings: NotificationsSettings,
    worker_settings: NotificationsSettings,
    broken_peer: str,
) -> None:
    for serial in ("000111", "000222", "000333"):  # the broken ones come first
        await ask(notifications, notifications_settings, f"RU-MOW-2026-{serial}")
    queued = await queue(notifications, to="+996555123456")
    settings = worker_settings.model_copy(
        update={"consular_url": broken_peer, "registry_url": broken_peer}
    )
    await work(settings, once=True)
    rows = sql(
        settings.database_url,
        "SELECT text, status, attempts, last_error FROM inbound_messages ORDER BY text",
    )
    assert [(r[1], r[2]) for r in rows] == [("pending", 1), ("pending", 1), ("answered", 0)]
    assert "FamilyContactsPage not in the agreed shape" in rows[0][3]
    assert "CaseStatus not in the agreed shape (hotline)" in rows[1][3]
    assert (await fetch(notifications, queued["id"]))["status"] == "sent"
