"""The console as its users work with it, in a real headless Chromium, against the
console and the three services running as separate processes."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.tokens import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_registrar_registers_a_person_with_family_and_a_departure(console, live):
    page = console.page
    page.goto("/sign-in")
    console.check("sign-in")
    console.sign_in("registrar", name="registrar.osh")
    console.check("home-registrar")

    page.click("nav >> text=Register a person")
    console.check("register-person")
    console.fill_person(sex="F")  # disagrees with the PIN's first digit (2: male)
    page.click("button:has-text('Register')")
    # The service's complaint is shown next to the field it concerns, nothing is saved.
    expect(page.locator(".has-error .error").first).to_be_visible()
    expect(page.locator("#f-pin")).to_have_attribute("aria-invalid", "true")
    console.check("register-person-error")

    page.select_option("#f-sex", "M")
    page.click("button:has-text('Register')")
    expect(page.locator(".notice")).to_have_text("The person is registered.")
    expect(page.locator("h1")).to_contain_text("Абдыкадыров Нурлан")
    expect(page.locator("h1 .latin")).to_contain_text("Abdykadyrov")
    expect(page.locator(".facts")).to_contain_text("In the country")

    page.click("text=Add a family member")
    console.fill(
        {
            "relation": "spouse",
            "last_name": "Абдыкадырова",
            "first_name": "Айгүл",
            "birth_date": "1992-05-20",
            "sex": "F",
            "phone": "0700 123 456",
            "sms_consent": True,
        }
    )
    page.click("button:has-text('Add')")
    expect(page.locator(".notice")).to_have_text("The family member is added.")

    page.click("text=Register a departure")
    console.check("register-departure")
    console.fill(
        {
            "departed_on": "2026-03-01",
            "destination_country": "RU",
            "destination_city": "Moscow",
            "purpose": "work",
        }
    )
    page.click("button:has-text('Register the departure')")
    expect(page.locator(".notice")).to_have_text("The departure is registered.")
    expect(page.locator(".facts")).to_contain_text("Abroad")
    family = page.locator("section:has(#family-h)")
    expect(family).to_contain_text("Абдыкадырова Айгүл")
    expect(family).to_contain_text("Spouse")
    expect(page.locator("section:has(#moves-h)")).to_contain_text("Russian Federation, Moscow")
    console.check("person-record")

    # The services hold it, recorded under the registrar's own name.
    people = httpx.get(
        live.urls["registry"] + "/v1/persons", headers=bearer("registrar"), timeout=10
    ).json()["items"]
    assert [p["last_name"] for p in people] == ["Абдыкадыров"]
    assert people[0]["status"] == "abroad"


def test_officer_finds_by_misspelled_name_opens_and_resolves_a_case(console, seed):
    person = seed.person()
    seed.departure(person["id"])
    page = console.page
    console.sign_in("consular_officer", consulate="RU-MOW", name="officer.asanov")

    page.click("nav >> text=People")
    page.fill("#q", "Abdikadirov")  # misspelled Latin form: results come as you type
    result = page.locator("#results a", has_text="Абдыкадыров")
    expect(result).to_be_visible()
    console.check("person-search")
    result.click()
    expect(page.locator("h1")).to_contain_text("Абдыкадыров Нурлан")

    page.click("main >> text=Open a case")
    console.check("open-case")
    page.select_option("#f-category", "wage_theft")
    page.select_option("#f-priority", "high")
    page.fill("#f-description", "Employer has not paid wages for three months.")
    page.click("button:has-text('Open the case')")
    expect(page.locator(".notice")).to_have_text("The case is open.")
    expect(page.locator("h1")).to_contain_text(re.compile(r"RU-MOW-\d{4}-\d+"))
    # Only the moves the workflow allows are offered: from open, only "in progress".
    moves = page.locator(".transition button")
    expect(moves).to_have_count(1)
    expect(moves).to_have_text("Move to: In progress")

    moves.click()
    expect(page.locator("#case-status")).to_have_text("In progress")
    expect(page.locator(".transition button")).to_have_text(
        ["Move to: Awaiting information", "Move to: Referred", "Move to: Resolved"]
    )
    resolve = page.locator("form.transition:has(input[value=resolved])")
    resolve.locator("select[name=resolution]").select_option("wages_recovered")
    resolve.locator("input[name=note]").fill("Paid in full.")
    resolve.locator("button").click()
    expect(page.locator("#case-status")).to_have_text("Resolved")
    expect(page.locator(".facts")).to_contain_text("Wages recovered")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Case opened")
    expect(timeline).to_contain_text("In progress → Resolved")
    expect(timeline).to_contain_text("Paid in full.")
    expect(timeline).to_contain_text("officer.asanov")
    console.check("case-view")

    page.click("nav >> text=Cases")
    expect(page.locator("#case-results")).to_contain_text("Wage theft")
    console.check("case-list")


def test_an_officer_of_another_consulate_cannot_reach_the_case_by_url(console, seed):
    person = seed.person()
    case = seed.case(person["id"], consulate="RU-MOW")
    page = console.page
    console.sign_in("consular_officer", consulate="KZ-ALA")
    response = page.goto(f"/cases/{case['id']}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found, or not in your jurisdiction.")
    expect(page.locator("body")).not_to_contain_text(case["case_number"])
    expect(page.locator("body")).not_to_contain_text("Wages unpaid")


def test_analyst_sees_the_table_and_chart_and_downloads_csv(console, seed, tmp_path):
    for serial in range(12):
        person = seed.person(pin=f"2140319901{serial:04d}")
        seed.departure(person["id"], on="2026-03-01")
    page = console.page
    console.sign_in("analyst")
    expect(page.locator("nav")).not_to_contain_text("People")  # never a person for analysts
    page.click("nav >> text=Statistics")
    page.check("#k-stock")
    page.fill("#f-month", "2026-03")
    page.select_option("#f-by1", "sex")
    page.select_option("#f-by2", "")
    page.click("button:has-text('Show')")
    table = page.locator("#stats-table")
    expect(table).to_contain_text("12")
    expect(page.locator("svg.chart rect")).to_have_count(1)
    console.check("statistics")

    with page.expect_download() as download_info:
        page.click("text=Download CSV")
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text()
    assert download.suggested_filename.endswith(".csv")
    assert "sex" in text.splitlines()[0]
    assert "12" in text


def test_sign_out_ends_the_session(console, page, seed):
    seed.person()  # recorded in the audit trail as created by the seeding registrar
    console.sign_in("auditor")
    page.click("nav >> text=Audit trail")
    expect(page.locator("main table")).to_contain_text("test-registrar")
    expect(page.locator("main table")).to_contain_text("Created")
    console.check("audit-trail")
    console.sign_out()
    page.goto("/audit")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/audit$"))
    cookies = {c["name"]: c for c in page.context.cookies()}
    # What is left of the cookie holds no user.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    assert "migreg_console" not in cookies or cookies["migreg_console"]["httpOnly"]


def test_a_form_without_its_csrf_token_is_refused(console, live):
    page = console.page
    console.sign_in("registrar")
    page.goto("/persons/new")
    page.evaluate("document.querySelector('form.form input[name=csrf_token]').remove()")
    console.fill_person()
    page.click("button:has-text('Register')")
    expect(page.locator("h1")).to_contain_text("This form has expired")
    people = httpx.get(
        live.urls["registry"] + "/v1/persons", headers=bearer("registrar"), timeout=10
    ).json()["items"]
    assert people == []


def test_the_interface_speaks_russian_and_kyrgyz_and_remembers_the_choice(console, page):
    console.sign_in("registrar")
    page.click("text=Русский")
    expect(page.locator("nav")).to_contain_text("Люди")
    page.goto("/persons")
    expect(page.locator("h1")).to_have_text("Найти человека")
    page.click("text=Кыргызча")
    expect(page.locator("nav")).to_contain_text("Адамдар")
    console.check("home-ky")


def test_each_main_screen_weighs_under_200_kb_on_first_load(console, seed):
    from tests.console.conftest import Transfer

    person = seed.person()
    seed.departure(person["id"])
    case = seed.case(person["id"])
    page = console.page
    console.sign_in("consular_supervisor")
    weights = {}
    for path in (
        "/",
        "/persons?q=Abdykadyrov",
        f"/persons/{person['id']}",
        "/cases",
        f"/cases/{case['id']}",
        "/statistics",
    ):
        transfer = Transfer(page)  # cache off: every asset comes again, as on first load
        page.goto(path, wait_until="load")
        transfer.session.detach()
        weights[path] = transfer.bytes
    assert all(0 < size < 200_000 for size in weights.values()), weights


def test_an_edit_after_someone_elses_save_shows_both_versions(console, seed, live):
    person = seed.person(phone="+996555123456")
    page = console.page
    console.sign_in("registrar")
    page.goto(f"/persons/{person['id']}")
    page.click("main >> text=Edit")
    page.fill("#f-locality", "Кара-Суу")
    # Meanwhile another registrar changes the phone.
    changed = httpx.patch(
        live.urls["registry"] + f"/v1/persons/{person['id']}",
        json={"phone": "+996700111222"},
        headers={**bearer("registrar", subject="registrar.other"), "If-Match": 'W/"1"'},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    page.click("button:has-text('Save')")
    alert = page.locator(".error-summary")
    expect(alert).to_contain_text("Someone else changed this record")
    expect(alert).to_contain_text("+996700111222")  # theirs
    expect(alert).to_contain_text("+996555123456")  # yours (the phone you had read)
    console.check("person-edit-conflict")
    page.fill("#f-phone", "+996700111222")  # keep their phone, with my locality
    page.click("button:has-text('Save')")
    expect(page.locator(".notice")).to_have_text("The changes are saved.")
    expect(page.locator(".facts")).to_contain_text("Кара-Суу")
    expect(page.locator(".facts")).to_contain_text("+996700111222")


def test_sensitive_cases_never_offer_a_family_sms(console, seed):
    person = seed.person()
    case = seed.post(
        "consular",
        "/v1/cases",
        {
            "consulate": "RU-MOW",
            "person_id": person["id"],
            "category": "trafficking",
            "priority": "critical",
            "description": "Passport held by the employer.",
        },
        "consular_officer",
        consulate="RU-MOW",
    )
    page = console.page
    console.sign_in("consular_officer", consulate="RU-MOW")
    page.goto(f"/cases/{case['id']}")
    page.click("button:has-text('Move to: In progress')")
    resolve = page.locator("form.transition:has(input[value=resolved])")
    expect(resolve.locator("select[name=resolution]")).to_be_visible()
    expect(resolve.locator("input[name=notify_family]")).to_have_count(0)


def test_administrator_previews_a_template_as_they_type(console):
    page = console.page
    console.sign_in("admin")
    page.click("nav >> text=Consulates")
    expect(page.locator("main table")).to_contain_text("RU-MOW")
    console.check("admin-consulates")
    page.click("nav >> text=SMS templates")
    first = page.locator("section.template").first
    inputs = first.locator("input[name^=p_]")
    for index in range(inputs.count()):
        inputs.nth(index).fill("RU-MOW-2026-000042")
    preview = first.locator("[aria-live]")
    expect(preview).to_contain_text("RU-MOW-2026-000042")
    expect(preview).to_contain_text("SMS segments")
    console.check("admin-templates")


def test_a_pin_already_registered_is_flagged_as_it_is_typed(console, seed):
    person = seed.person()
    page = console.page
    console.sign_in("registrar")
    page.goto("/persons/new")
    page.locator("#f-pin").press_sequentially("21403199012345", delay=20)
    warning = page.locator("#f-pin-live")
    expect(warning).to_contain_text("Already registered")
    warning.locator("a").click()
    expect(page).to_have_url(re.compile(f"/persons/{person['id']}$"))
