"""Family members, caregivers, at-risk children, SMS consent and family contacts."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from services.registry.persons.pin import make_pin
from tests.registry.conftest import REGISTRAR, MakePerson, depart
from tests.support.tokens import bearer

TODAY = date.today()


def _born(years_ago: int) -> str:
    return date(TODAY.year - years_ago, 1, 15).isoformat()


def member(relation: str, first_name: str, years_ago: int, **extra: Any) -> dict[str, Any]:
    return {
        "relation": relation,
        "last_name": "Абдыкадырова",
        "first_name": first_name,
        "birth_date": _born(years_ago),
        **extra,
    }


async def _add(client: httpx.AsyncClient, pid: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"/v1/persons/{pid}/family-members", json=body, headers=REGISTRAR)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _members(client: httpx.AsyncClient, pid: str) -> dict[str, dict[str, Any]]:
    response = await client.get(f"/v1/persons/{pid}/family-members", headers=REGISTRAR)
    assert response.status_code == 200
    return {m["first_name"]: m for m in response.json()["items"]}


async def test_family_with_consent_and_caregiver(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    spouse = await _add(
        registry,
        pid,
        member("spouse", "Айгүл", 33, sex="F", phone="0700 123 456", sms_consent=True),
    )
    assert spouse["phone"] == "+996700123456"
    assert spouse["sms_consent"] is True
    assert spouse["consent"]["method"] == "in_person" and spouse["consent"]["given_at"]
    child = await _add(
        registry, pid, member("child", "Бермет", 8, caregiver_id=spouse["id"], sex="F")
    )
    assert child["minor"] is True and child["caregiver_id"] == spouse["id"]
    assert child["at_risk"] is False


async def test_member_pin_is_checked_against_birth_date_and_sex(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    born = date.fromisoformat(_born(10))
    good = make_pin("F", born, 77)
    ok = await _add(registry, pid, member("child", "Бермет", 10, pin=good))
    assert ok["pin"] == good
    url = f"/v1/persons/{pid}/family-members"
    wrong_sex = await registry.post(
        url, json=member("child", "Асел", 10, pin=good, sex="M"), headers=REGISTRAR
    )
    assert wrong_sex.status_code == 422
    assert "PIN encodes sex F but sex is M" in wrong_sex.json()["errors"][0]["reason"]
    wrong_date = await registry.post(
        url, json=member("child", "Асел", 11, pin=good), headers=REGISTRAR
    )
    assert wrong_date.status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (member("spouse", "Айгүл", 30, sms_consent=True), "sms_consent"),
        (member("spouse", "Айгүл", 30, phone="123"), "phone"),
        ({**member("spouse", "Айгүл", 30), "relation": "cousin"}, "relation"),
        (member("spouse", "Aigul", 30), "first_name"),
        (member("child", "Бермет", -1), "birth_date"),
        ({**member("parent", "Гүлнара", 60), "birth_date": "0001-01-01"}, "birth_date"),
        ({**member("parent", "Гүлнара", 60), "birth_date": "1899-12-31"}, "birth_date"),
        (
            member("child", "Бермет", 5, caregiver_id="00000000-0000-4000-8000-000000000000"),
            "caregiver_id",
        ),
    ],
)
async def test_bad_family_members_are_422(
    registry: httpx.AsyncClient, make_person: MakePerson, body: dict[str, Any], field: str
) -> None:
    pid = (await make_person())["id"]
    response = await registry.post(
        f"/v1/persons/{pid}/family-members", json=body, headers=REGISTRAR
    )
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_caregiver_must_belong_to_the_same_family_and_only_minors_have_one(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    first, second = (await make_person())["id"], (await make_person())["id"]
    stranger = await _add(registry, second, member("spouse", "Айгүл", 30))
    url = f"/v1/persons/{first}/family-members"
    other_family = await registry.post(
        url, json=member("child", "Бермет", 5, caregiver_id=stranger["id"]), headers=REGISTRAR
    )
    assert other_family.status_code == 422
    grandma = await _add(registry, first, member("parent", "Гүлнара", 60))
    adult = await registry.post(
        url, json=member("child", "Бермет", 25, caregiver_id=grandma["id"]), headers=REGISTRAR
    )
    assert adult.status_code == 422
    assert "only a minor child" in adult.json()["errors"][0]["reason"]


async def test_at_risk_children_are_flagged_and_listed(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    other_migrant = await make_person(sex="F", birth_date="1992-05-20")
    old = await _add(registry, pid, member("parent", "Гүлнара", 80))
    fit = await _add(registry, pid, member("parent", "Назира", 55))
    teen = await _add(registry, pid, member("child", "Айпери", 15))
    wife = await _add(
        registry,
        pid,
        member("spouse", "Жылдыз", 34, pin=other_migrant["pin"], birth_date="1992-05-20", sex="F"),
    )
    for name, caregiver in [
        ("Бермет", None),
        ("Асел", old["id"]),
        ("Динара", teen["id"]),
        ("Айдай", fit["id"]),
        ("Мээрим", wife["id"]),
    ]:
        await _add(registry, pid, member("child", name, 6, caregiver_id=caregiver))
    # At home, nobody is at risk.
    assert not any(m["at_risk"] for m in (await _members(registry, pid)).values())
    # The father leaves but the mother is at home: one parent is there.
    await depart(registry, pid)
    assert not any(m["at_risk"] for m in (await _members(registry, pid)).values())
    # The mother, registered herself, leaves too: both parents abroad.
    await depart(registry, other_migrant["id"])
    members = await _members(registry, pid)
    assert members["Бермет"]["at_risk_reason"] == "no caregiver recorded"
    assert members["Асел"]["at_risk_reason"] == "caregiver is over 75"
    assert members["Динара"]["at_risk_reason"] == "caregiver is a minor"
    assert members["Айпери"]["at_risk_reason"] == "no caregiver recorded"
    assert members["Айдай"]["at_risk"] is False
    assert members["Мээрим"]["at_risk_reason"] == "caregiver is abroad"

    # A single parent abroad (no other parent recorded): the other parent counts as absent.
    single = (await make_person())["id"]
    await _add(registry, single, member("child", "Нурай", 9))
    await depart(registry, single)
    assert (await _members(registry, single))["Нурай"]["at_risk_reason"] == "no caregiver recorded"
    # A spouse recorded without a PIN is taken to be at home.
    with_spouse = (await make_person())["id"]
    await _add(registry, with_spouse, member("spouse", "Гүлзат", 35))
    await _add(registry, with_spouse, member("child", "Элнура", 9))
    await depart(registry, with_spouse)
    assert (await _members(registry, with_spouse))["Элнура"]["at_risk"] is False

    listed: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await registry.get(
            "/v1/at-risk-children", params=params, headers=bearer("consular_supervisor")
        )
        assert page.status_code == 200
        listed += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    reasons = {c["first_name"]: c["reason"] for c in listed}
    assert reasons == {
        "Бермет": "no caregiver recorded",
        "Асел": "caregiver is over 75",
        "Динара": "caregiver is a minor",
        "Айпери": "no caregiver recorded",
        "Мээрим": "caregiver is abroad",
        "Нурай": "no caregiver recorded",
    }
    for role in ("analyst", "consular_officer", "auditor"):
        denied = await registry.get(
            "/v1/at-risk-children", headers=bearer(role, consulate="RU-MOW")
        )
        assert denied.status_code == 403


async def test_a_caregiver_reported_missing_leaves_the_child_at_risk(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    uncle_person = await make_person(birth_date="1985-02-02")
    uncle = await _add(
        registry,
        pid,
        member("sibling", "Бакыт", 40, pin=uncle_person["pin"], birth_date="1985-02-02"),
    )
    await _add(registry, pid, member("child", "Нурай", 9, caregiver_id=uncle["id"]))
    await depart(registry, pid)
    assert (await _members(registry, pid))["Нурай"]["at_risk"] is False
    reported = await registry.post(
        f"/v1/persons/{uncle_person['id']}/status-events",
        json={"status": "missing", "date": "2025-06-01", "source": "family"},
        headers=REGISTRAR,
    )
    assert reported.status_code == 201
    assert (await _members(registry, pid))["Нурай"]["at_risk_reason"] == "caregiver is missing"
    listed = await registry.get("/v1/at-risk-children", headers=bearer("admin"))
    assert [c["reason"] for c in listed.json()["items"]] == ["caregiver is missing"]


async def test_family_contacts_only_carry_consenting_members_with_phones(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    wife = await _add(
        registry,
        pid,
        member("spouse", "Айгүл", 33, phone="0700 123 456", sms_consent=True, language="ru"),
    )
    await _add(registry, pid, member("parent", "Гүлнара", 60, phone="0555 000 111"))
    await _add(registry, pid, member("child", "Бермет", 8))
    service = bearer("service", scopes=("registry:contacts",))
    url = f"/v1/persons/{pid}/family-contacts"
    response = await registry.get(url, headers=service)
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "family_member_id": wife["id"],
                "relation": "spouse",
                "first_name": "Айгүл",
                "phone": "+996700123456",
                "language": "ru",
            }
        ],
        "next_cursor": None,
    }
    assert (await registry.get(url, headers=bearer("admin"))).status_code == 200
    for headers in (bearer("service", scopes=("registry:read",)), bearer("analyst")):
        assert (await registry.get(url, headers=headers)).status_code == 403
    unknown = "/v1/persons/00000000-0000-4000-8000-000000000000/family-contacts"
    assert (await registry.get(unknown, headers=service)).status_code == 404

    withdrawal = f"/v1/persons/{pid}/family-members/{wife['id']}/consent-withdrawals"
    withdrawn = await registry.post(withdrawal, json={"reason": "asked"}, headers=REGISTRAR)
    assert withdrawn.status_code == 201
    assert withdrawn.json()["sms_consent"] is False
    assert withdrawn.json()["consent"]["withdrawn_at"] is not None
    assert withdrawn.json()["consent"]["withdrawal_reason"] == "asked"
    wife_url = f"/v1/persons/{pid}/family-members/{wife['id']}"
    read_back = await registry.get(wife_url, headers=REGISTRAR)
    assert read_back.json()["consent"]["withdrawal_reason"] == "asked"
    assert (await registry.get(url, headers=service)).json()["items"] == []
    twice = await registry.post(withdrawal, json={}, headers=REGISTRAR)
    assert twice.status_code == 409
    again = await registry.patch(
        wife_url, json={"sms_consent": True}, headers={**REGISTRAR, "If-Match": 'W/"2"'}
    )
    assert again.status_code == 200, again.text
    assert again.json()["consent"]["withdrawal_reason"] is None


async def test_patch_family_member_with_if_match(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    wife = await _add(registry, pid, member("spouse", "Айгүл", 33))
    child = await _add(registry, pid, member("child", "Бермет", 8))
    url = f"/v1/persons/{pid}/family-members/{child['id']}"
    assert (
        await registry.patch(url, json={"caregiver_id": wife["id"]}, headers=REGISTRAR)
    ).status_code == 428
    ok = await registry.patch(
        url, json={"caregiver_id": wife["id"]}, headers={**REGISTRAR, "If-Match": 'W/"1"'}
    )
    assert ok.status_code == 200 and ok.json()["caregiver_id"] == wife["id"]
    stale = await registry.patch(
        url, json={"caregiver_id": None}, headers={**REGISTRAR, "If-Match": 'W/"1"'}
    )
    assert stale.status_code == 412
    self_care = await registry.patch(
        url, json={"caregiver_id": child["id"]}, headers={**REGISTRAR, "If-Match": 'W/"2"'}
    )
    assert self_care.status_code == 422
    wife_url = f"/v1/persons/{pid}/family-members/{wife['id']}"
    no_phone = await registry.patch(
        wife_url, json={"sms_consent": True}, headers={**REGISTRAR, "If-Match": 'W/"1"'}
    )
    assert no_phone.status_code == 422
    consent = await registry.patch(
        wife_url,
        json={"phone": "0700 123 456", "sms_consent": True, "sms_consent_method": "written"},
        headers={**REGISTRAR, "If-Match": 'W/"1"'},
    )
    assert consent.status_code == 200
    assert consent.json()["sms_consent"] is True
    assert consent.json()["consent"]["method"] == "written"
    read = await registry.get(wife_url, headers=bearer("consular_supervisor"))
    assert read.status_code == 200 and read.headers["ETag"] == 'W/"2"'
    missing = f"/v1/persons/{pid}/family-members/00000000-0000-4000-8000-000000000000"
    assert (await registry.get(missing, headers=REGISTRAR)).status_code == 404
