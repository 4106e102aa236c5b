"""Failures a ministry network has, end to end: a peer down, the worker killed, the SMS
gateway failing. Asserted on what the gateway received and what the services show."""

from __future__ import annotations

import asyncio
import collections
import re
import signal

import pytest

from tests.e2e.system import SUPERVISOR, System, eventually, new_key, unique_phone
from tests.support.tokens import bearer

pytestmark = pytest.mark.e2e

SENDER = bearer("service", scopes=("notifications:send",), subject="service:e2e")


def _gauge(metrics: str, name: str, service: str) -> float:
    match = re.search(rf'^{name}{{service="{service}"}} (\S+)$', metrics, re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


async def _settled(system: System, phones: list[str], count: int) -> list[str]:
    """Wait for ``count`` SMS, then a little longer: a duplicate would show up by then."""
    await system.wait_sms(phones, count)
    await asyncio.sleep(3)
    return [str(r.body["client_reference"]) for r in system.sms_to(*phones)]


async def test_notifications_down_delays_family_sms_and_each_arrives_once(system: System) -> None:
    wife, son = unique_phone(), unique_phone()
    person = await system.person_with_family([(wife, "ky", True), (son, "ru", True)])
    system.live.stop("notifications")
    try:
        first = await system.open_case(person)
        await system.resolve(first)
        await system.open_case(person, "RU-YEK")

        async def failing() -> float | None:
            metrics = (await system.http.get(system.url("consular", "/metrics"))).text
            return _gauge(metrics, "outbox_failing", "consular") or None

        await eventually(failing, what="the consular outbox to report failing rows")
        metrics = (await system.http.get(system.url("consular", "/metrics"))).text
        assert _gauge(metrics, "outbox_pending", "consular") >= 3
        assert _gauge(metrics, "outbox_oldest_pending_age_seconds", "consular") > 0
        assert system.sms_to(wife, son) == []
    finally:
        system.live.serve("notifications")
    references = await _settled(system, [wife, son], 6)
    assert len(references) == len(set(references)) == 6  # 3 texts x 2 contacts, once each
    texts = [r.body["text"] for r in system.sms_to(wife)]
    assert sum("ачылды" in t for t in texts) == 2 and sum("чечилди" in t for t in texts) == 1


async def test_registry_down_refuses_the_case_with_503_and_the_same_key_succeeds_once(
    system: System,
) -> None:
    phone = unique_phone()
    person = await system.person_with_family([(phone, "ky", True)])
    before = await system.ok("GET", "consular", "/v1/cases", SUPERVISOR, params={"limit": 200})
    key = {"Idempotency-Key": new_key()}
    system.live.stop("registry")
    try:
        officer = bearer("consular_officer", consulate="RU-MOW", subject="officer.RU-MOW")
        body = {
            "consulate": "RU-MOW",
            "person_id": person,
            "category": "wage_theft",
            "priority": "normal",
            "description": "Wages unpaid for three months",
            "notify_family": True,
        }
        down = await system.call("POST", "consular", "/v1/cases", {**officer, **key}, json=body)
        assert down.status_code == 503, down.text
        assert down.headers["Retry-After"]
        after = await system.ok("GET", "consular", "/v1/cases", SUPERVISOR, params={"limit": 200})
        assert [c["id"] for c in after["items"]] == [c["id"] for c in before["items"]]
    finally:
        system.live.serve("registry")
    created = await system.call("POST", "consular", "/v1/cases", {**officer, **key}, json=body)
    assert created.status_code == 201, created.text
    replayed = await system.call("POST", "consular", "/v1/cases", {**officer, **key}, json=body)
    assert replayed.status_code == 201 and replayed.json()["id"] == created.json()["id"]
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    after = await system.ok("GET", "consular", "/v1/cases", SUPERVISOR, params={"limit": 200})
    assert len(after["items"]) == len(before["items"]) + 1
    assert len(await _settled(system, [phone], 1)) == 1


async def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    system: System,
) -> None:
    system.gateway.slow_seconds = 0.6
    system.gateway.behave(then="slow")
    phones = [unique_phone() for _ in range(12)]
    ids = []
    for phone in phones:
        body = {"to": phone, "template": "help", "language": "en", "params": {}}
        accepted = await system.ok(
            "POST", "notifications", "/v1/messages", {**SENDER, "Idempotency-Key": new_key()},
            json=body,
        )  # fmt: skip
        ids.append(accepted["id"])
    await system.wait_sms(phones, 2)
    system.live.processes["worker"].send_signal(signal.SIGKILL)
    system.live.processes.pop("worker").wait()
    in_flight = {str(r.body["client_reference"]) for r in system.sms_to(*phones)}
    system.gateway.behave(then="ok")
    system.live.start("worker", ["worker", "notifications"])
    references = await _settled(system, phones, 12)
    counts = collections.Counter(references)
    assert set(counts) == set(ids)  # nothing lost
    # A message the gateway had when the worker died may arrive again (its lease lapses
    # and it is resent under the same client reference, for the gateway to drop); no other.
    assert {ref for ref, n in counts.items() if n > 1} <= in_flight
    for message_id in ids:
        message = await system.ok("GET", "notifications", f"/v1/messages/{message_id}", SENDER)
        assert message["status"] == "sent"


async def test_a_failing_gateway_is_retried_until_each_sms_is_delivered(system: System) -> None:
    system.gateway.slow_seconds = 1.5  # longer than the worker waits: a timeout
    system.gateway.behave("500", "drop", "slow", "500", "500", then="ok")
    wife, son = unique_phone(), unique_phone()
    person = await system.person_with_family([(wife, "ky", True), (son, "en", True)])
    case = await system.open_case(person)

    async def both_sent() -> bool:
        sent = [
            e for e in await system.timeline(case["id"])
            if e["kind"] == "family_sms" and e["data"]["status"] == "sent"
        ]  # fmt: skip
        return len(sent) == 2

    await eventually(both_sent, within=60, what="both SMS sent despite the gateway failing")
    received = system.sms_to(wife, son)
    assert len(received) > 2  # the failures were real attempts
    assert {str(r.body["to"]) for r in received} == {wife, son}


async def test_a_number_the_gateway_always_refuses_raises_a_follow_up_task(system: System) -> None:
    good, dead = unique_phone(), unique_phone()
    system.gateway.refused_numbers.add(dead.lstrip("+"))
    person = await system.person_with_family([(good, "ky", True), (dead, "ru", True)])
    case = await system.open_case(person, "RU-LED")
    officer = bearer("consular_officer", consulate="RU-LED", subject="officer.RU-LED")

    async def task() -> list[dict[str, object]] | None:
        body = await system.ok("GET", "consular", "/v1/tasks", officer)
        mine = [t for t in body["items"] if t["case_id"] == case["id"]]
        return mine or None

    (raised,) = await eventually(task, what="a follow-up task for the unreachable number")
    assert raised["kind"] == "family_not_reached" and raised["consulate"] == "RU-LED"
    assert f"+996 *** ** {dead[-2:]} failed" in str(raised["detail"])
    failed = [
        e for e in await system.timeline(case["id"])
        if e["kind"] == "family_sms" and e["data"]["status"] == "failed"
    ]  # fmt: skip
    assert failed[0]["data"]["summary"].startswith(f"SMS to +996 *** ** {dead[-2:]}: failed ")
    elsewhere = bearer("consular_officer", consulate="KZ-ALA", subject="officer.KZ-ALA")
    others = await system.ok("GET", "consular", "/v1/tasks", elsewhere)
    assert all(t["case_id"] != case["id"] for t in others["items"])
    assert len(system.sms_to(good)) == 1
