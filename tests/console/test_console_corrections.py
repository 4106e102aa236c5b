"""Correcting a movement from the person record: a registrar fixes a departure date
with a reason and sees the corrected row and the correction's history; the registry's
errors show next to their field; a correction made meanwhile is a clear conflict; no
one else is offered the form or can send it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.console.conftest import Console, Seed
from tests.support.tokens import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _movements(live: Any, person_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{live.urls['registry']}/v1/persons/{person_id}/movements",
        params={"include_superseded": "true"},
        headers=bearer("registrar"),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_registrar_corrects_a_departure_date_and_sees_the_history(
    console: Console, seed: Seed, live: Any
) -> None:
    person = seed.person()
    seed.departure(person["id"], on="2026-03-01")
    page = console.page
    console.sign_in("registrar", name="registrar.osh")
    page.goto(f"/persons/{person['id']}")
    page.click(".movements a:text-is('Correct')")
    # Pre-filled with the movement as recorded.
    expect(page.locator("#f-date")).to_have_value("2026-03-01")
    expect(page.locator("#f-destination_city")).to_have_value("Moscow")
    console.check("movement-correct")

    # A date in the future: the registry's error is shown beside the date.
    page.fill("#f-date", "2999-01-01")
    page.fill("#f-reason", "Date misread from the border stamp")
    page.click("button:has-text('Save the correction')")
    expect(page.locator("#f-date-error")).to_have_text("This date is in the future.")
    expect(page.locator("#f-reason")).to_have_value("Date misread from the border stamp")

    page.fill("#f-date", "2026-03-02")
    page.click("button:has-text('Save the correction')")
    expect(page.locator(".notice")).to_have_text("The correction is saved.")
    table = page.locator(".movements tbody")
    expect(table).to_contain_text("Mar 2, 2026")
    expect(table.locator("tr")).to_have_count(1)
    history = page.locator(".corrections")
    expect(history).to_contain_text("registrar.osh")
    expect(history).to_contain_text("Date misread from the border stamp")
    row = history.locator("tr", has_text="Date")
    expect(row.locator("td").first).to_have_text("Mar 1, 2026")
    expect(row.locator("td").last).to_have_text("Mar 2, 2026")
    console.check("movement-corrected")

    old, new = sorted(_movements(live, person["id"]), key=lambda m: m["superseded"])[::-1]
    assert old["superseded"] and old["superseded_by_actor"] == "registrar.osh"
    assert new["date"] == "2026-03-02" and new["corrects"] == old["id"]
    assert new["destination_city"] == "Moscow"  # unchanged fields carried over


def test_a_correction_made_meanwhile_is_a_clear_conflict(
    console: Console, seed: Seed, live: Any
) -> None:
    person = seed.person()
    seed.departure(person["id"])
    (movement,) = _movements(live, person["id"])
    page = console.page
    console.sign_in("registrar")
    page.goto(f"/persons/{person['id']}/movements/{movement['id']}/correct")
    page.fill("#f-destination_city", "Kazan")
    page.fill("#f-reason", "Wrong city")
    # Meanwhile another registrar corrects the same movement.
    seed.post(
        "registry",
        f"/v1/persons/{person['id']}/movements/{movement['id']}/corrections",
        {"reason": "Other registrar", "changes": {"destination_city": "Perm"}},
        "registrar",
    )
    page.click("button:has-text('Save the correction')")
    expect(page.locator(".error-summary")).to_contain_text("Someone else corrected this movement")
    cities = {m["destination_city"] for m in _movements(live, person["id"])}
    assert cities == {"Moscow", "Perm"}


def _csrf(page: Page) -> str:
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    return token


@pytest.mark.parametrize("role", ["consular_officer", "analyst"])
def test_others_get_no_correct_link_and_cannot_post(
    console: Console, seed: Seed, live: Any, role: str
) -> None:
    person = seed.person()
    seed.departure(person["id"])
    (movement,) = _movements(live, person["id"])
    page = console.page
    console.sign_in(role, consulate="RU-MOW" if role == "consular_officer" else None)
    record = page.request.get(f"/persons/{person['id']}")
    if role == "consular_officer":
        assert record.status == 200
        assert "Moscow" in record.text()
        assert "/correct" not in record.text()
    else:
        assert record.status in (403, 404)
    url = f"/persons/{person['id']}/movements/{movement['id']}/correct"
    assert page.request.get(url).status in (403, 404)
    form: dict[str, str | float | bool] = {
        "csrf_token": _csrf(page),
        "date": "2026-03-02",
        "reason": "Not mine to correct",
    }
    assert page.request.post(url, form=form).status in (403, 404)
    assert [m["superseded"] for m in _movements(live, person["id"])] == [False]
