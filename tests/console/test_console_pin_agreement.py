"""The registration form checks the PIN against the sex and birth date as they are typed,
with the registry's own rules, and says which field disagrees next to it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_pin_disagreeing_with_sex_and_birth_date_is_flagged_while_typing(console):
    page = console.page
    console.sign_in("registrar")
    page.goto("/persons/new")
    page.select_option("#f-sex", "F")
    page.fill("#f-birth_date", "1990-04-14")
    page.locator("#f-pin").press_sequentially("21403199012345", delay=20)

    pin, sex, born = (page.locator(f"#f-{name}-live") for name in ("pin", "sex", "birth_date"))
    expect(pin).to_contain_text("The PIN encodes: Male, born")
    expect(sex).to_have_text("The PIN says Male.")
    expect(born).to_contain_text("The PIN says")
    expect(born).to_contain_text("1990")
    # Each message is read out with its field.
    expect(page.locator("#f-sex")).to_have_attribute("aria-describedby", "f-sex-live")
    console.check("register-pin-disagrees")

    page.select_option("#f-sex", "M")
    expect(sex).to_have_text("")
    expect(born).to_contain_text("The PIN says")
    page.fill("#f-birth_date", "1990-03-14")
    expect(born).to_have_text("")
    expect(pin).to_have_text("")


def test_a_pin_breaking_the_rules_says_why(console):
    page = console.page
    console.sign_in("registrar")
    page.goto("/persons/new")
    page.locator("#f-pin").press_sequentially("33102199012345", delay=10)
    expect(page.locator("#f-pin-live")).to_contain_text("This is not a valid PIN")
    expect(page.locator("#f-pin-live")).to_contain_text("starts with 1 (female) or 2 (male)")
