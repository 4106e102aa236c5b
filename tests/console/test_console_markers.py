"""Vulnerability markers in the console: a restrained badge and its history for those
the registry lets read them, a recording form for registrars (who cannot read them
back), withdrawal by a supervisor, and nothing at all different for anyone else."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.console.conftest import Seed
from tests.support.tokens import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SUPERVISOR = bearer("consular_supervisor", subject="hq-supervisor")
SPOUSE = {
    "relation": "spouse",
    "last_name": "Абдыкадырова",
    "first_name": "Айгүл",
    "birth_date": "1992-05-20",
    "sex": "F",
    "sms_consent": False,
}


def _markers(live: Any, person_id: str, state: str = "all") -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{live.urls['registry']}/v1/persons/{person_id}/markers",
        params={"state": state},
        headers=SUPERVISOR,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _mark(seed: Seed, person_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    body = {"kind": kind, **extra}
    return seed.post("registry", f"/v1/persons/{person_id}/markers", body, "registrar")


def test_registrar_records_a_marker_for_a_family_member_and_is_told_only_that(console, seed, live):
    person = seed.person()
    spouse = seed.post(
        "registry", f"/v1/persons/{person['id']}/family-members", SPOUSE, "registrar"
    )
    page = console.page
    console.sign_in("registrar", name="registrar.osh")
    page.goto(f"/persons/{person['id']}")
    page.click("text=Record a vulnerability marker")
    expect(page.locator("main")).to_contain_text("you will not see it here")
    console.check("marker-record")
    page.select_option("#f-kind", "violence_survivor")
    page.select_option("#f-family_member_id", spouse["id"])
    page.fill("#f-note", "Left a violent household.")
    page.click("button:has-text('Record the marker')")
    expect(page.locator(".notice")).to_contain_text("The marker is recorded.")
    expect(page.locator("h1")).to_contain_text("Абдыкадыров Нурлан")
    # The registrar cannot read markers: nothing is listed, not even an empty area.
    expect(page.locator(".markers")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Violence survivor")

    (marker,) = _markers(live, person["id"])
    assert marker["kind"] == "violence_survivor"
    assert marker["family_member_id"] == spouse["id"]
    assert marker["note"] == "Left a violent household."
    assert marker["recorded_by"] == "registrar.osh"


def test_a_marker_form_error_is_shown_on_the_form(console, seed):
    person = seed.person()
    page = console.page
    console.sign_in("registrar")
    page.goto(f"/persons/{person['id']}/markers/new")
    # A kind the registry does not know (a stale form, a tampered one): its 422 is shown.
    add = "'beforeend', '<option value=sad>sad</option>'"
    page.evaluate(f"document.querySelector('#f-kind').insertAdjacentHTML({add})")
    page.select_option("#f-kind", "sad")
    page.click("button:has-text('Record the marker')")
    expect(page.locator("#f-kind")).to_have_attribute("aria-invalid", "true")


def test_supervisor_sees_the_badge_withdraws_it_and_reads_the_history(console, seed, live):
    person = seed.person()
    _mark(seed, person["id"], "detained_abroad", note="Held in Moscow since May.")
    page = console.page
    console.sign_in("consular_supervisor", name="hq.supervisor")
    page.goto(f"/persons/{person['id']}")
    markers = page.locator("section.markers")
    expect(markers.locator(".badge")).to_have_text("Detained abroad")
    expect(markers).to_contain_text("test-registrar")  # who recorded it
    expect(markers).to_contain_text("Held in Moscow since May.")
    console.check("marker-badge")

    markers.locator("summary:has-text('Withdraw this marker')").click()
    markers.get_by_label("Why it no longer applies").fill("Released and back home.")
    markers.locator("button:has-text('Withdraw the marker')").click()
    expect(page.locator(".notice")).to_have_text("The marker is withdrawn.")
    expect(page.locator("section.markers .badge")).to_have_count(0)
    history = page.locator("details.marker-history")
    history.locator("summary").click()
    expect(history).to_contain_text("Detained abroad")
    expect(history).to_contain_text("by hq.supervisor: Released and back home.")
    console.check("marker-history")

    (ended,) = _markers(live, person["id"], "withdrawn")
    assert ended["withdrawn_by"] == "hq.supervisor"
    assert ended["withdrawal_reason"] == "Released and back home."


def test_an_officer_sees_the_badge_and_the_raised_priority_on_their_open_case(console, seed):
    person = seed.person()
    _mark(seed, person["id"], "pregnancy")
    body = {
        "consulate": "RU-MOW",
        "person_id": person["id"],
        "category": "medical",
        "priority": "low",
        "description": "Needs a clinic.",
    }
    case = seed.post("consular", "/v1/cases", body, "consular_officer", consulate="RU-MOW")
    page = console.page
    console.sign_in("consular_officer", consulate="RU-MOW")
    page.goto(f"/cases/{case['id']}")
    expect(page.locator("section.markers .badge")).to_have_text("Pregnancy")
    # Officers cannot withdraw (the registry admits registrars and supervisors).
    expect(page.locator("section.markers form")).to_have_count(0)
    facts = page.locator(".facts")
    expect(facts).to_contain_text("High")
    expect(facts.locator(".priority-reason")).to_have_text(
        "The person has an active vulnerability marker: at least high priority."
    )
    page.click("text=Русский")
    expect(page.locator("section.markers .badge")).to_have_text("Беременность")
    expect(facts.locator(".priority-reason")).to_contain_text("маркер")
    console.check("case-marker-ru")


# --- nobody else sees anything different -------------------------------------------


class Browserless:
    """The console over plain HTTP, signed in through the development role picker."""

    def __init__(self, url: str, role: str, consulate: str | None = None) -> None:
        self.client = httpx.Client(base_url=url, timeout=20, headers={"Accept-Language": "en"})
        form = self.client.get("/sign-in").text
        token = _csrf(form)
        data = {"role": role, "name": f"http-{role}", "csrf_token": token}
        if consulate:
            data["consulate"] = consulate
        signed = self.client.post("/sign-in/dev", data=data)
        assert signed.status_code == 303, signed.text

    def page(self, path: str) -> tuple[int, str]:
        response = self.client.get(path)
        # The CSRF token is the session's, not the page's: the rest must not move.
        return response.status_code, re.sub(r'(value|X-CSRF-Token": )"[^"]+"', "", response.text)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_marker_changes_nothing_for_those_who_may_not_see_it(console_url, seed, live):
    person = seed.person()
    seed.departure(person["id"])
    seed.post("registry", f"/v1/persons/{person['id']}/family-members", SPOUSE, "registrar")
    case = seed.case(person["id"], consulate="RU-MOW")
    viewers = {
        "registrar": Browserless(console_url, "registrar"),
        "analyst": Browserless(console_url, "analyst"),
        "other consulate's officer": Browserless(console_url, "consular_officer", "KZ-ALA"),
        # The control: the case's own officer, who must see the difference.
        "case's officer": Browserless(console_url, "consular_officer", "RU-MOW"),
    }
    paths = (f"/persons/{person['id']}", f"/cases/{case['id']}", "/")
    before = {who: [v.page(p) for p in paths] for who, v in viewers.items()}
    _mark(seed, person["id"], "trafficking_survivor", note="Rescued in 2025.")
    withdrawn = _mark(seed, person["id"], "disability")
    seed.post(
        "registry",
        f"/v1/persons/{person['id']}/markers/{withdrawn['id']}/withdrawal",
        {"reason": "recorded in error"},
        "registrar",
    )
    after = {who: [v.page(p) for p in paths] for who, v in viewers.items()}
    control = viewers.pop("case's officer")
    assert before["case's officer"][0] != after["case's officer"][0]  # it would show
    for who in viewers:
        assert before[who] == after[who], who
    # The person page was really shown to the registrar and the officer...
    assert after["registrar"][0][0] == after["other consulate's officer"][0][0] == 200
    assert "Абдыкадыров" in after["other consulate's officer"][0][1]
    # ...and the same pages show the marker to whom they should.
    for path in paths[:2]:
        status, html = control.page(path)
        assert status == 200 and "Trafficking survivor" in html, path
        assert "Withdrawn markers (1)" in html, path
