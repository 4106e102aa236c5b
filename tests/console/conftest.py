"""The console as a real process beside the live services, and a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from shared.embedded_pg import DatabaseServer
from tests.support.browser import CHROMIUM_ARGS, artefacts_dir, axe_source, chromium_path
from tests.support.live import LiveSystem, free_port, wait_ready
from tests.support.tokens import bearer

SERIOUS = {"serious", "critical"}
# The registration form as a registrar fills it in for one person (field names).
PERSON_FORM = {
    "pin": "21403199012345",
    "last_name": "Абдыкадыров",
    "first_name": "Нурлан",
    "last_name_latin": "Abdykadyrov",
    "first_name_latin": "Nurlan",
    "sex": "M",
    "birth_date": "1990-03-14",
    "region": "KG-O",
}


@pytest.fixture(scope="module")
def console_url(live: LiveSystem, database_server: DatabaseServer) -> Iterator[str]:
    """The console as its own process (``migreg serve console``) beside the services,
    its session records in its own database."""
    port = free_port()
    live.env.setdefault("CONSOLE_DATABASE_URL", database_server.ensure_database("test_console"))
    process = live.start("console", ["serve", "console", "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, timeout=90)
        yield url
    finally:
        live.stop("console")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps an event loop running in this thread
    # while it is open, which would stop the suite's asyncio tests from running.
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, console_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=console_url, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class Console:
    """What a person does in the console, in the browser."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    def sign_in(self, role: str, consulate: str | None = None, name: str | None = None) -> None:
        page = self.page
        page.goto("/sign-in")
        page.select_option("#f-role", role)
        if consulate:
            page.select_option("#f-consulate", consulate)
        page.fill("#f-name", name or f"ui-{role}")
        page.click("button:has-text('Sign in')")
        page.wait_for_url(self.url + "/")

    def sign_out(self) -> None:
        self.page.click("button:has-text('Sign out')")
        self.page.wait_for_url("**/sign-in")

    def fill(self, values: dict[str, str | bool]) -> None:
        """Fill the form's fields (``#f-<name>``) as a person would: a choice picked
        in a select, a box ticked, text typed."""
        for name, value in values.items():
            field = self.page.locator(f"#f-{name}")
            kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
            if kind == "select":
                field.select_option(str(value))
            elif kind == "checkbox":
                field.set_checked(bool(value))
            else:
                field.fill(str(value))

    def fill_person(self, **changes: str) -> None:
        """The registration form filled in for the usual person, with ``changes``."""
        self.fill({**PERSON_FORM, **changes})

    def check(self, name: str) -> None:
        """Screenshot the screen and run axe-core in it: no serious or critical violation."""
        page = self.page
        page.screenshot(path=str(artefacts_dir() / f"{name}.png"), full_page=True)
        # Evaluated through the DevTools protocol, so the page's CSP (no inline script)
        # stays as it is for the page itself.
        page.evaluate(axe_source())
        result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v.get("impact") in SERIOUS
        ]
        assert not bad, f"{name}: accessibility violations: {bad}"


@pytest.fixture
def console(page: Page, console_url: str) -> Console:
    return Console(page, console_url)


class Seed:
    """Data made through the services' APIs, as another user would have made it."""

    def __init__(self, live: LiveSystem) -> None:
        self.live = live

    def post(
        self,
        service: str,
        path: str,
        body: dict[str, Any],
        *roles: str,
        consulate: str | None = None,
    ) -> dict[str, Any]:
        response = httpx.post(
            self.live.urls[service] + path,
            json=body,
            headers=bearer(*roles, consulate=consulate),
            timeout=10,
        )
        assert response.status_code in (200, 201, 202), response.text
        result: dict[str, Any] = response.json()
        return result

    def person(self, **overrides: Any) -> dict[str, Any]:
        return self.post("registry", "/v1/persons", {**PERSON_FORM, **overrides}, "registrar")

    def departure(self, person_id: str, country: str = "RU", on: str = "2026-03-01") -> None:
        body = {
            "departed_on": on,
            "destination_country": country,
            "destination_city": "Moscow",
            "purpose": "work",
            "sector": "F",
        }
        self.post("registry", f"/v1/persons/{person_id}/departures", body, "registrar")

    def case(self, person_id: str, consulate: str = "RU-MOW") -> dict[str, Any]:
        body = {
            "consulate": consulate,
            "person_id": person_id,
            "category": "wage_theft",
            "priority": "high",
            "description": "Wages unpaid for three months.",
        }
        return self.post("consular", "/v1/cases", body, "consular_officer", consulate=consulate)


@pytest.fixture
def seed(live: LiveSystem) -> Seed:
    return Seed(live)


class Transfer:
    """Bytes that came over the wire for one page load (DevTools: encoded lengths)."""

    def __init__(self, page: Page) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.bytes = 0
        self.session.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes += int(event["encodedDataLength"])
