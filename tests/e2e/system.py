"""Driving the live system in end-to-end tests: people, cases, and what the gateway got."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from services.notifications.callbacks.signature import sign
from services.notifications.settings import DEV_CALLBACK_SECRET
from tests.notifications.fake_gateway import FakeGateway, Received
from tests.support.live import LiveSystem
from tests.support.tokens import bearer

REGISTRAR = bearer("registrar", subject="registrar.osh")
ADMIN = bearer("admin", subject="admin.hq")
SUPERVISOR = bearer("consular_supervisor", subject="supervisor.hq")

E2E_ENV = {
    "MIGREG_LOG_LEVEL": "INFO",
    **{f"{s}_LOG_LEVEL": "INFO" for s in ("REGISTRY", "CONSULAR", "NOTIFICATIONS")},
    **{f"{s}_OUTBOX_POLL_SECONDS": "0.2" for s in ("REGISTRY", "CONSULAR")},
    **{f"{s}_OUTBOX_RETRY_BASE_SECONDS": "0.3" for s in ("REGISTRY", "CONSULAR")},
    **{f"{s}_OUTBOX_RETRY_MAX_SECONDS": "1.5" for s in ("REGISTRY", "CONSULAR")},
    **{f"{s}_PEER_TIMEOUT_SECONDS": "2" for s in ("REGISTRY", "CONSULAR")},
    "CONSULAR_FAMILY_SMS_CHECK_SECONDS": "0.3",
    "CONSULAR_FAMILY_SMS_CHECK_MAX_SECONDS": "1",
    # Follow a "sent" SMS for a delivery report only briefly (the fake gateway sends none).
    "CONSULAR_FAMILY_SMS_DELIVERY_WAIT_SECONDS": "0",
    "NOTIFICATIONS_PROVIDER": "http",
    # Quiet hours off (start == end): the suite passes at any hour.
    "NOTIFICATIONS_QUIET_HOURS_START": "0",
    "NOTIFICATIONS_QUIET_HOURS_END": "0",
    "NOTIFICATIONS_DAILY_CAP": "50",
    "NOTIFICATIONS_POLL_INTERVAL_SECONDS": "0.2",
    "NOTIFICATIONS_BATCH_SIZE": "4",
    "NOTIFICATIONS_SEND_CONCURRENCY": "4",
    "NOTIFICATIONS_SEND_TIMEOUT_SECONDS": "1",
    "NOTIFICATIONS_HTTP_TIMEOUT_SECONDS": "1",
    "NOTIFICATIONS_LEASE_SECONDS": "3",
    "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.3",
    "NOTIFICATIONS_RETRY_MAX_SECONDS": "1",
    "NOTIFICATIONS_MAX_ATTEMPTS": "10",
    "NOTIFICATIONS_INBOUND_RETRY_SECONDS": "0.5",
}

_serials = itertools.count(os.getpid() % 1000 * 100)
T = TypeVar("T")


def unique_phone() -> str:
    return f"+99655{next(_serials) % 10_000_000:07d}"


def unique_pin(sex: str = "M", birth: str = "15031990") -> str:
    return f"{2 if sex == 'M' else 1}{birth}{next(_serials) % 100_000:05d}"


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, within: float = 30, what: str = "condition"
) -> T:
    """``check()``'s first truthy answer, polling; fails naming ``what`` after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g} s waiting for {what}")
        await asyncio.sleep(0.2)


@dataclass
class System:
    live: LiveSystem
    gateway: FakeGateway
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=15))

    def url(self, service: str, path: str) -> str:
        return f"{self.live.urls[service]}{path}"

    async def call(
        self, method: str, service: str, path: str, headers: dict[str, str], **kwargs: Any
    ) -> httpx.Response:
        return await self.http.request(method, self.url(service, path), headers=headers, **kwargs)

    async def ok(
        self, method: str, service: str, path: str, headers: dict[str, str], **kwargs: Any
    ) -> Any:
        response = await self.call(method, service, path, headers, **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def person_with_family(
        self, family: list[tuple[str | None, str, bool]], *, first_name: str = "Бакыт"
    ) -> str:
        """A registered person and family members (phone, language, sms consent)."""
        person = await self.ok(
            "POST",
            "registry",
            "/v1/persons",
            REGISTRAR,
            json={
                "pin": unique_pin(),
                "last_name": "Абдыкадыров",
                "first_name": first_name,
                "sex": "M",
                "birth_date": "1990-03-15",
                "region": "KG-C",
                "language": "ky",
            },
        )
        for index, (phone, language, consent) in enumerate(family):
            member = {
                "relation": "sibling" if index else "spouse",
                "last_name": "Абдыкадырова",
                "first_name": ("Айгүл", "Нурлан", "Бүбүсара", "Эрмек")[index % 4],
                "birth_date": "1992-06-01",
                "sex": "F",
                "language": language,
                "sms_consent": consent,
                **({"phone": phone} if phone else {}),
            }
            await self.ok(
                "POST", "registry", f"/v1/persons/{person['id']}/family-members", REGISTRAR,
                json=member,
            )  # fmt: skip
        return str(person["id"])

    async def set_hotline(self, consulate: str, hotline: str | None) -> None:
        current = await self.call("GET", "consular", f"/v1/consulates/{consulate}", ADMIN)
        await self.ok(
            "PATCH",
            "consular",
            f"/v1/consulates/{consulate}",
            {**ADMIN, "If-Match": current.headers["ETag"]},
            json={"hotline": hotline},
        )

    async def open_case(
        self,
        person_id: str,
        consulate: str = "RU-MOW",
        *,
        category: str = "wage_theft",
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body = {
            "consulate": consulate,
            "person_id": person_id,
            "category": category,
            "priority": "normal",
            "description": "Wages unpaid for three months",
            "notify_family": True,
        }
        officer = bearer("consular_officer", consulate=consulate, subject=f"officer.{consulate}")
        result: dict[str, Any] = await self.ok(
            "POST", "consular", "/v1/cases", {**officer, **(headers or {})}, json=body
        )
        return result

    async def resolve(self, case: dict[str, Any]) -> dict[str, Any]:
        officer = bearer(
            "consular_officer", consulate=case["consulate"], subject=f"officer.{case['consulate']}"
        )
        for to, extra in (("in_progress", {}), ("resolved", {"resolution": "assisted"})):
            headers = {**officer, "If-Match": f'W/"{case["version"]}"'}
            body = {"to": to, **extra, **({"notify_family": True} if to == "resolved" else {})}
            case = await self.ok(
                "POST", "consular", f"/v1/cases/{case['id']}/transitions", headers, json=body
            )
        return case

    async def timeline(self, case_id: str) -> list[dict[str, Any]]:
        body = await self.ok("GET", "consular", f"/v1/cases/{case_id}/timeline", SUPERVISOR)
        items: list[dict[str, Any]] = body["items"]
        return items

    async def text_in(self, phone: str, text: str) -> None:
        """An SMS from ``phone`` arriving at the gateway's inbound callback."""
        provider = bearer(
            "service", scopes=("notifications:callbacks",), subject="provider:gateway"
        )
        raw = json.dumps({"id": f"in-{uuid.uuid4()}", "from": phone, "text": text}).encode()
        await self.ok(
            "POST", "notifications", "/v1/provider-callbacks/inbound",
            {**provider, "X-Signature": sign(raw, DEV_CALLBACK_SECRET),
             "Content-Type": "application/json"},
            content=raw,
        )  # fmt: skip

    def sms_to(self, *phones: str) -> list[Received]:
        wanted = {p.lstrip("+") for p in phones}
        with self.gateway.lock:
            return [r for r in self.gateway.received if str(r.body["to"]).lstrip("+") in wanted]

    async def wait_sms(self, phones: list[str], count: int, within: float = 40) -> list[Received]:
        async def arrived() -> list[Received] | None:
            got = self.sms_to(*phones)
            return got if len(got) >= count else None

        return await eventually(arrived, within=within, what=f"{count} SMS to {phones}")


def new_key() -> str:
    return str(uuid.uuid4())
