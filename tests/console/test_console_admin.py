"""Administration in the browser: an administrator changes a consulate's hotline and
zones, edits an SMS template with its live preview, reads a message's delivery history
and keeps the opt-out list; nobody else reaches these pages."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser import artefacts_dir
from tests.support.live import LiveSystem
from tests.support.tokens import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
ADMIN_PAGES = ("/admin/consulates", "/admin/templates", "/admin/messages", "/admin/opt-outs")


def _letters(n: int) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(n))


@pytest.fixture
def consulate(seed, live: LiveSystem) -> Iterator[str]:
    code = "ZX-" + _letters(3).upper()
    body = {
        "code": code,
        "name": "Consulate for console tests",
        "country": "RU",
        "city": "Krasnodar",
        "time_zone": "Europe/Moscow",
        "kind": "consulate",
    }
    seed.post("consular", "/v1/consulates", body, "admin")
    yield code
    # Free its zones: a country has one serving post, and other tests' posts want them.
    url = f"{live.urls['consular']}/v1/consulates/{code}"
    etag = httpx.get(url, headers=bearer("admin"), timeout=10).headers["ETag"]
    freed = httpx.patch(
        url, json={"zones": []}, headers={**bearer("admin"), "If-Match": etag}, timeout=10
    )
    assert freed.status_code == 200, freed.text


@pytest.fixture
def template(live: LiveSystem) -> Iterator[str]:
    """A template of its own (sorted last), so the seeded ones stay as they are."""
    key = "zz_console_" + _letters(6)
    created = httpx.put(
        f"{live.urls['notifications']}/v1/templates/{key}/en",
        json={"body": "Case {case_number} is open."},
        headers=bearer("admin"),
        timeout=10,
    )
    assert created.status_code == 201, created.text
    yield key


def test_an_administrator_changes_a_hotline_and_zones(console, consulate):
    page = console.page
    console.sign_in("admin")
    page.click("nav >> text=Consulates")
    page.click(f"#c-{consulate} >> text=Edit")
    console.check("admin-consulate-edit")
    page.fill("#f-hotline", "+7 861 200-00-00")
    page.fill("#f-zones", "by, XX")
    page.click("button:has-text('Save')")
    # The service's complaint sits next to the field; nothing is saved.
    expect(page.locator("#f-zones-error")).to_contain_text("XX is not an ISO 3166-1")
    expect(page.locator("#f-zones")).to_have_attribute("aria-invalid", "true")
    console.check("admin-consulate-edit-error")
    page.fill("#f-zones", "by, am")
    page.click("button:has-text('Save')")
    row = page.locator(f"#c-{consulate}")
    expect(row).to_contain_text("+78612000000")
    expect(row).to_contain_text("AM, BY")
    expect(page.locator("[role=status], .notice").first).to_contain_text("saved")


def test_an_administrator_edits_a_template_with_its_live_preview(console, template):
    page = console.page
    console.sign_in("admin")
    page.goto("/admin/templates")
    section = page.locator(f"#t-{template}-en")
    text = section.locator("textarea[name=body]")
    preview = section.locator("[aria-live]")
    text.fill("Case {case_number}: Иш ачылды.")
    section.locator("input[name=p_case_number]").fill("RU-MOW-2026-000042")
    # As typed: the Cyrillic forces UCS-2, and the typed value fills the placeholder.
    expect(preview).to_contain_text("Case RU-MOW-2026-000042: Иш ачылды.")
    expect(preview).to_contain_text("UCS-2")
    expect(preview).to_contain_text("1 SMS segments")
    console.check("admin-template-preview")
    section.screenshot(path=str(artefacts_dir() / "admin-template-section.png"))

    text.fill("Case {case_number!r}")
    expect(preview.locator(".error")).to_contain_text("is not allowed")
    section.locator("button:has-text('Save')").click()
    section = page.locator(f"#t-{template}-en")
    expect(section.locator(f"#b-{template}-en-error")).to_contain_text("is not allowed")
    expect(section.locator("textarea")).to_have_attribute("aria-invalid", "true")
    console.check("admin-template-error")

    section.locator("textarea").fill("Case {case_number} is open. Call us.")
    section.locator("button:has-text('Save')").click()
    expect(page).to_have_url(re.compile(f"/admin/templates#t-{template}-en$"))
    saved = page.locator(f"#t-{template}-en")
    expect(saved.locator("h2")).to_contain_text("v2")
    expect(saved.locator("textarea")).to_have_value("Case {case_number} is open. Call us.")


def test_a_stale_template_edit_says_so_and_keeps_the_text(console, template, live):
    page = console.page
    console.sign_in("admin")
    page.goto("/admin/templates")
    section = page.locator(f"#t-{template}-en")
    # Another administrator saves first.
    url = f"{live.urls['notifications']}/v1/templates/{template}/en"
    theirs = httpx.put(
        url, json={"body": "Theirs."}, headers={**bearer("admin"), "If-Match": 'W/"1"'}
    )
    assert theirs.status_code == 200
    section.locator("textarea").fill("Mine.")
    section.locator("button:has-text('Save')").click()
    section = page.locator(f"#t-{template}-en")
    expect(section.locator(".error")).to_contain_text("Theirs.")
    expect(section.locator("textarea")).to_have_value("Mine.")
    section.locator("button:has-text('Save')").click()
    expect(page.locator(f"#t-{template}-en textarea")).to_have_value("Mine.")
    assert httpx.get(url, headers=bearer("admin")).json()["body"] == "Mine."


def test_an_administrator_reads_the_log_and_keeps_the_opt_out_list(console, live):
    phone = "+996700" + "".join(secrets.choice("0123456789") for _ in range(6))
    sent = httpx.post(
        f"{live.urls['notifications']}/v1/messages",
        json={"to": phone, "template": "help", "language": "en", "params": {}},
        headers={
            **bearer("service", scopes=("notifications:send",)),
            "Idempotency-Key": secrets.token_hex(8),
        },
        timeout=10,
    )
    assert sent.status_code == 202, sent.text
    page = console.page
    console.sign_in("admin")
    page.click("nav >> text=Message log")
    page.fill("#f-to", phone)
    page.select_option("#f-status", "queued")
    page.click("button:has-text('Find')")
    row = page.locator("main table tbody tr")
    expect(row).to_have_count(1)
    # The number is masked but for its last digits.
    expect(row.first).to_contain_text("•" * 9 + phone[-4:])
    expect(row.first).not_to_contain_text(phone)
    console.check("admin-messages")
    row.first.locator("a").click()
    expect(page.locator("h2 + table")).to_contain_text("accepted")
    console.check("admin-message-history")

    page.goto("/admin/messages")
    page.click("text=Numbers that opted out")
    # Without this session's CSRF token a form is refused, even an administrator's.
    forged = page.request.post("/admin/opt-outs", form={"phone": phone})
    assert forged.status == 403
    page.fill("#f-phone", "12345")
    page.click("button:has-text('Opt out')")
    expect(page.locator("#f-phone-error")).to_be_visible()
    page.fill("#f-phone", phone)
    page.click("button:has-text('Opt out')")
    mine = page.locator("main table tbody tr", has_text=phone[-4:])
    expect(mine).to_contain_text("By an administrator")
    expect(page.locator("main table")).not_to_contain_text(phone)
    console.check("admin-opt-outs")
    mine.locator("button:has-text('Remove')").click()
    expect(page.locator("main table tbody tr", has_text=phone[-4:])).to_have_count(0)
    listed = httpx.get(f"{live.urls['notifications']}/v1/opt-outs", headers=bearer("admin"))
    assert phone not in [item["phone"] for item in listed.json()["items"]]


@pytest.mark.parametrize("role", ["registrar", "consular_supervisor", "auditor"])
def test_nobody_else_sees_or_reaches_administration(console, role):
    page = console.page
    console.sign_in(role)
    nav = page.locator("nav")
    for text in ("Consulates", "SMS templates", "Message log"):
        expect(nav.locator(f"text={text}")).to_have_count(0)
    for path in (*ADMIN_PAGES, "/admin/consulates/RU-MOW/edit"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
    # A forged form (with this session's own CSRF token) is refused too.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        "/admin/templates/help/en", form={"csrf_token": token or "", "body": "x"}
    )
    assert answer.status == 403
