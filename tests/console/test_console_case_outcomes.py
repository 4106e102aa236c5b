"""What became of a case's family SMS, as the officer sees it: follow-up tasks on the
home page linked to their case, and the timeline's SMS lines in words (translated),
never raw data."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from starlette.requests import Request

from services.console.i18n import translations
from services.console.pages import outcomes
from services.consular.cases.protection import MARKED_REASON
from services.consular.family.service import PROTECTED

NOT_REGISTERED = "the person is not registered, so no family contact is known"


def _unregistered_case(seed: Any) -> dict[str, Any]:
    body = {
        "consulate": "RU-MOW",
        "person": {"last_name": "Токтогулов", "first_name": "Азамат"},
        "category": "wage_theft",
        "priority": "normal",
        "description": "Wages unpaid.",
        "notify_family": True,
    }
    case: dict[str, Any] = seed.post(
        "consular", "/v1/cases", body, "consular_officer", consulate="RU-MOW"
    )
    return case


@pytest.mark.e2e
@pytest.mark.browser
def test_officer_sees_the_follow_up_on_home_and_why_the_family_was_not_told(console, seed):
    case = _unregistered_case(seed)
    page = console.page
    console.sign_in("consular_officer", consulate="RU-MOW", name="officer.asanov")
    tasks = page.locator("#tasks")
    row = tasks.locator("tr", has_text=case["case_number"])
    expect(row).to_contain_text("Family not reached")
    expect(row).to_contain_text(f"Family not told: {NOT_REGISTERED}.")
    console.check("home-officer-tasks")

    row.locator("a", has_text=case["case_number"]).click()
    expect(page.locator("h1")).to_contain_text(case["case_number"])
    timeline = page.locator("#timeline")
    not_sent = timeline.locator(".outcome-family_sms_not_sent")
    expect(not_sent).to_contain_text(f"Family SMS not sent: {NOT_REGISTERED}")
    expect(not_sent.locator(".said")).to_have_text(NOT_REGISTERED)
    expect(timeline.locator(".outcome-follow_up_task")).to_contain_text(
        f"Follow-up task: Family not reached: Family not told: {NOT_REGISTERED}."
    )
    expect(timeline).not_to_contain_text("{")  # no raw data
    console.check("case-sms-outcome")

    page.click("text=Кыргызча")
    expect(not_sent.locator(".said")).to_have_text(translations("ky").gettext(NOT_REGISTERED))


@pytest.mark.e2e
@pytest.mark.browser
def test_a_survivor_s_case_says_the_family_was_not_told_because_of_a_marker(console, seed):
    person = seed.person()
    seed.post(
        "registry",
        f"/v1/persons/{person['id']}/markers",
        {"kind": "trafficking_survivor"},
        "registrar",
    )
    body = {
        "consulate": "RU-MOW",
        "person_id": person["id"],
        "category": "detention",
        "priority": "normal",
        "description": "Held by the police.",
        "notify_family": True,
    }
    case = seed.post("consular", "/v1/cases", body, "consular_officer", consulate="RU-MOW")
    page = console.page
    console.sign_in("consular_officer", consulate="RU-MOW")
    # The consular relay asks the registry in the background: wait for its line.
    _reload_until(page, f"/cases/{case['id']}", "#timeline .outcome-family_sms_not_sent")
    expect(page.locator("#timeline .outcome-family_sms_not_sent")).to_contain_text(
        "restricted vulnerability marker"
    )
    page.goto("/")
    expect(page.locator("#tasks")).to_contain_text("Family not told automatically")


def _reload_until(page: Page, path: str, selector: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        page.goto(path)
        if page.locator(selector).count() or time.monotonic() > deadline:
            return
        time.sleep(0.5)


# --- every reason consular writes is one the console can translate -----------------


def _request(language: str) -> Request:
    scope = {
        "type": "http",
        "headers": [(b"cookie", f"lang={language}".encode())],
        "app": _App(),
    }
    return Request(scope)


class _App:
    class state:  # noqa: N801 (what the rendering helpers read)
        class settings:  # noqa: N801
            default_language = "en"


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_consular_reasons_and_task_details_are_translated(language):
    request = _request(language)
    for text in (PROTECTED, NOT_REGISTERED, MARKED_REASON):
        assert outcomes.reason(request, text) != text, text
    details = (
        f"Family not told: {NOT_REGISTERED}.",
        f"Family not told automatically: {PROTECTED}. Decide with the person whether to call.",
        "Family SMS to +996 *** ** 56 failed: absent subscriber. Call the family.",
        "Family SMS to +996 *** ** 56 deferred. Call the family if they must know sooner.",
    )
    for text in details:
        said = outcomes.task_detail(request, text)
        assert said != text, text
        assert "+996" not in text or "+996 *** ** 56" in said, said
    assert "absent subscriber" in outcomes.task_detail(request, details[2])
    assert outcomes.task_detail(request, "Something new.") == "Something new."


def test_an_sms_outcome_reads_as_words_in_the_user_s_language():
    event = {
        "kind": "family_sms",
        "data": {
            "to": "+996 *** ** 56",
            "template": "case_resolved",
            "language": "ky",
            "status": "failed",
            "detail": "absent subscriber",
            "sms_id": "x",
        },
    }
    assert outcomes.explain(_request("en"), event) == (
        "Case resolved to +996 *** ** 56: Failed (absent subscriber)"
    )
    russian = outcomes.explain(_request("ru"), event)
    assert russian == "Дело решено на +996 *** ** 56: Не доставлено (absent subscriber)"
    assert outcomes.explain(_request("en"), {"kind": "note", "data": {"text": "x"}}) is None
