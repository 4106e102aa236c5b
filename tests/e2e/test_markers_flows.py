"""Family SMS for trafficking and violence survivors, end to end: nothing on departure
or on the case, and the family's status query gets the neutral reply."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.system import REGISTRAR, System, unique_phone

pytestmark = pytest.mark.e2e

DEPARTURE = {"destination_country": "RU", "destination_city": "Kazan"}


async def _mark(system: System, person: str, kind: str) -> None:
    await system.ok(
        "POST", "registry", f"/v1/persons/{person}/markers", REGISTRAR, json={"kind": kind}
    )


async def _depart(system: System, person: str) -> None:
    body = {"departed_on": date.today().isoformat(), **DEPARTURE}
    await system.ok("POST", "registry", f"/v1/persons/{person}/departures", REGISTRAR, json=body)


async def test_a_survivor_s_departure_texts_nobody(system: System) -> None:
    survivor_wife, other_wife = unique_phone(), unique_phone()
    survivor = await system.person_with_family([(survivor_wife, "ky", True)])
    await _mark(system, survivor, "trafficking_survivor")
    other = await system.person_with_family([(other_wife, "ky", True)])
    await _depart(system, survivor)
    await _depart(system, other)  # after the survivor's: its SMS arriving means both were handled
    await system.wait_sms([other_wife], 1)
    assert system.sms_to(survivor_wife) == []


async def test_a_survivor_s_family_asking_by_case_number_gets_the_neutral_reply(
    system: System,
) -> None:
    wife, stranger = unique_phone(), unique_phone()
    person = await system.person_with_family([(wife, "ky", True)])
    await _mark(system, person, "violence_survivor")
    case = await system.open_case(person)  # notify_family: withheld
    for phone in (wife, stranger):
        await system.text_in(phone, case["case_number"])
    (to_stranger,) = await system.wait_sms([stranger], 1)
    (to_wife,) = await system.wait_sms([wife], 1)  # the reply only: no "case opened" SMS
    assert case["case_number"] not in to_wife.body["text"]
    assert to_wife.body["text"] == to_stranger.body["text"]
    timeline = await system.timeline(case["id"])
    assert "family_sms_not_sent" in [e["kind"] for e in timeline]
