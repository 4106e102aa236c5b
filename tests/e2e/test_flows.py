"""Each flow end to end: real processes, and what the SMS gateway actually received."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial

import pytest

from tests.e2e.system import REGISTRAR, SUPERVISOR, System, eventually, unique_phone
from tests.support.tokens import bearer

pytestmark = pytest.mark.e2e

KAZAN_HOTLINE = "+78432000001"
ALMATY_HOTLINE = "+77272000002"


async def test_flow1_a_departure_texts_each_consenting_contact_in_their_language(
    system: System,
) -> None:
    await system.set_hotline("RU-KZN", KAZAN_HOTLINE)
    wife, brother, no_consent = unique_phone(), unique_phone(), unique_phone()
    person = await system.person_with_family(
        [(wife, "ky", True), (brother, "ru", True), (no_consent, "ru", False)]
    )
    await system.ok(
        "POST", "registry", f"/v1/persons/{person}/departures", REGISTRAR,
        json={"departed_on": date.today().isoformat(), "destination_country": "RU",
              "destination_city": "Kazan"},
    )  # fmt: skip
    received = await system.wait_sms([wife, brother], 2)
    texts = {r.body["to"]: r.body["text"] for r in received}
    assert texts[wife] == (
        "Бакыт чет өлкөгө чыгуусу катталды (Орус Федерациясы). "
        "Элчиликтин ишеним телефону: +78432000001"
    )
    assert texts[brother] == (
        "Выезд Бакыт зарегистрирован (Российская Федерация). "
        "Горячая линия консульства: +78432000001"
    )
    assert system.sms_to(no_consent) == []


async def test_flow1_without_a_consulate_hotline_the_sentence_is_left_out(system: System) -> None:
    await system.set_hotline("TR-IST", None)
    phone = unique_phone()
    person = await system.person_with_family([(phone, "en", True)])
    await system.ok(
        "POST", "registry", f"/v1/persons/{person}/departures", REGISTRAR,
        json={"departed_on": date.today().isoformat(), "destination_country": "TR",
              "destination_city": "Istanbul"},
    )  # fmt: skip
    (sms,) = await system.wait_sms([phone], 1)
    assert sms.body["text"] == "The departure of Бакыт to Türkiye has been registered."


async def test_flow2_case_opened_and_resolved_reach_the_family_and_the_timeline_says_so(
    system: System,
) -> None:
    await system.set_hotline("KZ-ALA", ALMATY_HOTLINE)
    wife, no_consent = unique_phone(), unique_phone()
    person = await system.person_with_family([(wife, "ru", True), (no_consent, "ky", False)])
    case = await system.open_case(person, "KZ-ALA")
    number = case["case_number"]
    (opened,) = await system.wait_sms([wife], 1)
    assert opened.body["text"] == (
        f"Открыто обращение №{number}. Чтобы узнать статус, отправьте этот номер. "
        f"Горячая линия: {ALMATY_HOTLINE}"
    )
    await system.resolve(case)
    both = await system.wait_sms([wife], 2)
    assert both[1].body["text"] == (
        f"Обращение №{number} решено. Остались вопросы? Горячая линия консульства: {ALMATY_HOTLINE}"
    )
    assert system.sms_to(no_consent) == []

    masked = f"+996 *** ** {wife[-2:]}"

    async def both_sent() -> list[str] | None:
        lines = [
            e["data"]["summary"]
            for e in await system.timeline(case["id"])
            if e["kind"] == "family_sms" and e["data"]["status"] == "sent"
        ]
        return lines if len(lines) == 2 else None

    for line in await eventually(both_sent, what="both SMS recorded as sent on the timeline"):
        assert line.startswith(f"SMS to {masked}: sent ")
    tasks = await system.ok(
        "GET", "consular", "/v1/tasks", SUPERVISOR, params={"case_id": case["id"]}
    )
    assert tasks["items"] == []


async def test_flow2_sensitive_categories_never_text_the_family(system: System) -> None:
    phone = unique_phone()
    person = await system.person_with_family([(phone, "ky", True)])
    officer = bearer("consular_officer", consulate="RU-MOW")
    refused = await system.call(
        "POST", "consular", "/v1/cases", officer,
        json={"consulate": "RU-MOW", "person_id": person, "category": "trafficking",
              "priority": "high", "description": "x", "notify_family": True},
    )  # fmt: skip
    assert refused.status_code == 422
    assert system.sms_to(phone) == []


async def test_flow3_a_family_member_texts_the_case_number_and_gets_its_status(
    system: System,
) -> None:
    wife, stranger = unique_phone(), unique_phone()
    person = await system.person_with_family([(wife, "ky", True)])
    case = await system.open_case(person)
    await system.wait_sms([wife], 1)  # the "case opened" SMS
    for phone in (wife, stranger):
        await system.text_in(phone, case["case_number"])
    family = (await system.wait_sms([wife], 2))[1]
    assert case["case_number"] in family.body["text"] and "ачык" in family.body["text"]
    (reply,) = await system.wait_sms([stranger], 1)
    assert case["case_number"] not in reply.body["text"]


async def test_flow4_a_return_is_written_on_each_open_case_of_the_person(system: System) -> None:
    person = await system.person_with_family([])
    await system.ok(
        "POST", "registry", f"/v1/persons/{person}/departures", REGISTRAR,
        json={"departed_on": "2026-01-10", "destination_country": "RU"},
    )  # fmt: skip
    first, second = await system.open_case(person), await system.open_case(person, "RU-YEK")
    closed = await system.resolve(await system.open_case(person))
    await system.ok(
        "POST", "registry", f"/v1/persons/{person}/returns", REGISTRAR,
        json={"returned_on": date.today().isoformat(), "reason": "deportation"},
    )  # fmt: skip

    async def returned(case_id: str) -> list[str] | None:
        lines = [
            e["data"]["summary"]
            for e in await system.timeline(case_id)
            if e["kind"] == "person_returned"
        ]
        return lines or None

    for case in (first, second):
        (line,) = await eventually(partial(returned, case["id"]), what="the return on the case")
        assert line == f"Returned home on {date.today().isoformat()}, reason: deportation"
    assert await returned(closed["id"]) is None


async def test_a_request_id_follows_flow2_through_all_three_services_logs(system: System) -> None:
    phone = unique_phone()
    person = await system.person_with_family([(phone, "ky", True)])
    request_id = f"e2e-flow2-{uuid.uuid4().hex}"
    await system.open_case(person, headers={"X-Request-ID": request_id})
    await system.wait_sms([phone], 1)

    async def logged_everywhere() -> bool:
        return all(
            f'"request_id": "{request_id}"' in system.live.log(service)
            for service in ("consular", "registry", "notifications")
        )

    await eventually(logged_everywhere, what="the request id in every service's log")
    assert phone not in system.live.log("consular") + system.live.log("notifications")
