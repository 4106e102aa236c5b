"""What an outside tester found walking the console: each as the user meets it."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from pydantic import ValidationError

from services.console.api import Api, ApiProblem
from services.console.app import create_app
from services.console.i18n import formatters
from services.console.reference import country_name, region_name
from services.console.rendering import environment
from services.console.settings import ConsoleSettings
from tests.support.tokens import AUTH, bearer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The console alone (no services behind it): what it decides by itself."""
    app = create_app(ConsoleSettings(auth=AUTH, log_level="WARNING"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            c.cookies.set("lang", "en")
            yield c


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    found = CSRF.search((await client.get(path)).text)
    assert found is not None, path
    return found.group(1)


async def _sign_in(client: httpx.AsyncClient, role: str, consulate: str | None = None) -> None:
    form = {"role": role, "name": f"polish-{role}", "csrf_token": await _csrf(client, "/sign-in")}
    if consulate:
        form["consulate"] = consulate
    assert (await client.post("/sign-in/dev", data=form)).status_code == 303


async def test_a_tampered_idempotency_key_gives_the_form_back_not_a_500(client):
    await _sign_in(client, "registrar")
    form = {
        "csrf_token": await _csrf(client, "/persons/new"),
        "idempotency_key": "\u202e",
        "last_name": "Абдыкадыров",
    }
    response = await client.post("/persons/new", data=form)
    assert response.status_code == 422
    assert "The form was altered or is out of date" in response.text
    assert 'id="f-last_name"' in response.text  # the form again, as typed
    assert 'value="Абдыкадыров"' in response.text


async def test_a_tampered_version_is_refused_before_anything_is_sent():
    async with httpx.AsyncClient() as http:
        api = Api(client=http, urls={"consular": "http://127.0.0.1:9"}, token="t")
        with pytest.raises(ApiProblem) as refused:
            await api.send("POST", "consular", "/v1/cases/x/assignments", {}, etag='W/"\u202e"')
    assert refused.value.status == 422
    assert "version" in refused.value.field_errors()


def test_times_are_shown_in_the_configured_zone_and_name_it():
    utc = "2026-11-29T14:52:00+00:00"
    assert formatters("en", "Asia/Bishkek")["datetime"](utc, "short") == (
        "11/29/26, 8:52\u202fPM (Bishkek)"
    )
    assert (
        formatters("ru", "Asia/Bishkek")["datetime"](utc, "short") == "29.11.2026, 20:52 (Бишкек)"
    )
    assert (
        formatters("ru", "Europe/Moscow")["datetime"](utc, "short") == "29.11.2026, 17:52 (Москва)"
    )
    assert ConsoleSettings().time_zone == "Asia/Bishkek"


def test_the_time_zone_is_a_setting_and_a_wrong_one_is_refused(monkeypatch):
    monkeypatch.setenv("CONSOLE_TIME_ZONE", "Europe/Moscow")
    assert ConsoleSettings().time_zone == "Europe/Moscow"
    monkeypatch.setenv("CONSOLE_TIME_ZONE", "Mars/Olympus_Mons")
    with pytest.raises(ValidationError, match="unknown time zone"):
        ConsoleSettings()


def test_the_console_starts_without_authlib_s_deprecation_warning():
    started = subprocess.run(
        [sys.executable, "-W", "default", "-c", "import services.console.app"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "AuthlibDeprecationWarning" not in started.stderr


def test_places_are_named_in_the_user_s_language():
    assert region_name("KG-GB", "en") == "Bishkek"
    assert region_name("KG-GB", "ru") == "Бишкек"
    assert region_name("KG-C", "ky") == "Чүй облусу"
    assert region_name("KG-C", "en") == "Chüy Region"
    assert region_name("XX-ZZZ", "ru") == "XX-ZZZ"  # unknown: the code as it is
    assert country_name("RU", "ky") == "Орус Федерациясы"
    assert country_name("RU", "ru") == "Российская Федерация"
    assert country_name("KR", "en") == "South Korea"  # the common name, as the SMS say it


def test_at_risk_reasons_and_sectors_are_words_in_the_language():
    ru = environment("ru").filters
    assert ru["label"]("no caregiver recorded") == "Опекун не записан"
    assert ru["sector"]("F") == "Строительство"
    assert environment("en").filters["sector"]("F") == "Construction"


async def test_the_registration_form_names_regions_in_the_user_s_language(client):
    await _sign_in(client, "registrar")
    client.cookies.set("lang", "ru")
    page = (await client.get("/persons/new")).text
    assert '<option value="KG-GB">Бишкек</option>' in page
    assert "Shaary" not in page


async def test_the_case_form_says_who_reported_in_words(client):
    await _sign_in(client, "consular_officer", consulate="RU-MOW")
    page = (await client.get("/cases/new")).text
    assert '<option value="self">The person themself</option>' in page
    assert '<option value="host_authority">Host country authority</option>' in page
    assert ">self<" not in page and ">ngo<" not in page


async def test_a_last_month_before_the_first_is_an_error_next_to_the_field(client):
    await _sign_in(client, "analyst")
    response = await client.get(
        "/statistics", params={"kind": "flows", "from_month": "2026-05", "to_month": "2026-03"}
    )
    assert response.status_code == 422
    assert '<p class="error" id="f-to-error">The last month comes before the first month.</p>' in (
        response.text
    )
    assert 'id="f-to" name="to_month" value="2026-03" aria-invalid="true"' in response.text
    csv = await client.get(
        "/statistics.csv",
        params={"kind": "flows", "from_month": "2026-05", "to_month": "2026-03"},
    )
    assert csv.status_code == 303 and csv.headers["location"].startswith("/statistics?")


async def test_a_nul_in_the_address_is_a_page_not_json(client):
    await _sign_in(client, "registrar")
    for path in ("/persons?q=%00", "/cases?q=%00", "/?x=%00"):
        response = await client.get(path)
        assert response.status_code == 400, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "cannot be searched for or stored" in response.text


async def test_finished_cases_are_filtered_by_the_service(consular: httpx.AsyncClient):
    consulate = "RU-MOW"
    officer = bearer("consular_officer", consulate=consulate)
    body = {
        "consulate": consulate,
        "person": {"last_name": "Осмонов", "first_name": "Бакыт"},
        "category": "wage_theft",
        "priority": "normal",
        "description": "Wages unpaid.",
    }
    still, done = [
        (await consular.post("/v1/cases", json=body, headers=officer)).json() for _ in "ab"
    ]
    moved = await consular.post(
        f"/v1/cases/{done['id']}/transitions",
        json={"to": "in_progress"},
        headers={**officer, "If-Match": f'W/"{done["version"]}"'},
    )
    resolved = await consular.post(
        f"/v1/cases/{done['id']}/transitions",
        json={"to": "resolved", "resolution": "assisted"},
        headers={**officer, "If-Match": f'W/"{moved.json()["version"]}"'},
    )
    assert resolved.status_code == 200, resolved.text

    async def ids(finished: str) -> set[str]:
        params: dict[str, str | int] = {"finished": finished, "limit": 200}
        answer = await consular.get("/v1/cases", params=params, headers=officer)
        return {c["id"] for c in answer.json()["items"]}

    assert still["id"] in await ids("false") and done["id"] not in await ids("false")
    assert done["id"] in await ids("true") and still["id"] not in await ids("true")


async def test_the_registry_lists_newest_registrations_first(registry: httpx.AsyncClient):
    registrar = bearer("registrar")
    made = []
    for last_name in ("Яковлев", "Абаев"):
        body = _person(last_name)
        response = await registry.post("/v1/persons", json=body, headers=registrar)
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    newest = await registry.get(
        "/v1/persons", params={"sort": "-created_at", "limit": 1}, headers=registrar
    )
    assert [p["id"] for p in newest.json()["items"]] == [made[-1]]
    second = await registry.get(
        "/v1/persons",
        params={"sort": "-created_at", "limit": 1, "cursor": newest.json()["next_cursor"]},
        headers=registrar,
    )
    assert [p["id"] for p in second.json()["items"]] == [made[0]]
    wrong = await registry.get("/v1/persons", params={"sort": "pin"}, headers=registrar)
    assert wrong.status_code == 422


def _person(last_name: str, **overrides: Any) -> dict[str, Any]:
    return {
        "pin": f"214031990{random.randrange(10**5):05d}",
        "last_name": last_name,
        "first_name": "Нурлан",
        "last_name_latin": "Abdykadyrov",
        "first_name_latin": "Nurlan",
        "sex": "M",
        "birth_date": "1990-03-14",
        "region": "KG-C",
        **overrides,
    }


async def test_an_odd_character_in_the_address_still_leads_to_sign_in(client):
    for headers in ({}, {"hx-request": "true"}):
        response = await client.get("/persons/%E2%80%AE", headers=headers)
        assert response.status_code in (204, 303), headers
        target = response.headers.get("hx-redirect") or response.headers["location"]
        assert target == "/sign-in?next=/persons/%E2%80%AE"


# In the browser, against the console and the services as separate processes.


@pytest.mark.e2e
@pytest.mark.browser
def test_the_case_list_has_no_htmx_syntax_errors(console):
    page = console.page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    console.sign_in("consular_officer", "RU-MOW")
    page.goto("/cases")
    page.fill("#f-q", "осмонов")
    page.wait_for_timeout(800)  # past the search's 400 ms delay
    assert errors == []


@pytest.mark.e2e
@pytest.mark.browser
def test_a_registrar_s_home_shows_the_newest_registration_with_its_region_name(console, seed):
    for _ in range(11):
        seed.person(**_person("Аа"))
    newest = seed.person(**_person("Яя", first_name="Последний", region="KG-GB"))
    console.sign_in("registrar")
    first = console.page.locator("section[aria-labelledby=recent-h] tbody tr").first
    expect(first).to_contain_text("Яя Последний")
    expect(first).to_contain_text("Bishkek")
    expect(console.page.locator(f"a[href='/persons/{newest['id']}']").first).to_be_visible()
    expect(console.page.locator("section[aria-labelledby=recent-h]")).not_to_contain_text("KG-")


@pytest.mark.e2e
@pytest.mark.browser
def test_an_officer_finds_a_case_by_part_of_its_number_or_a_latin_name(console, seed):
    person = seed.person(**_person("Абдыкадыров"))
    case = seed.case(person["id"])
    console.sign_in("consular_officer", "RU-MOW")
    page = console.page
    for q in (case["case_number"][-6:], "Abdykadyrov"):
        page.goto(f"/cases?q={q}")
        expect(page.locator(f"a[href='/cases/{case['id']}']")).to_be_visible()


@pytest.mark.e2e
@pytest.mark.browser
def test_an_officer_assigns_a_case_to_a_colleague_chosen_from_a_list(console, seed):
    person = seed.person(**_person("Бакиров"))
    case = seed.case(person["id"])  # opened by test-consular_officer, now assignable
    console.sign_in("consular_officer", "RU-MOW")
    page = console.page
    page.goto(f"/cases/{case['id']}")
    page.select_option("select#f-assignee", "test-consular_officer")
    page.click("button:has-text('Assign')")
    expect(page.locator(".notice")).to_have_text("The case is assigned.")


@pytest.mark.e2e
@pytest.mark.browser
def test_statistics_name_sexes_sectors_and_countries(console, seed):
    person = seed.person(**_person("Садыков"))
    seed.departure(person["id"], country="RU", on="2026-03-01")
    console.sign_in("analyst")
    page = console.page
    page.goto("/statistics?kind=stock&month=2026-03&by1=sector&by2=destination_country")
    table = page.locator("#stats-table")
    expect(table).to_contain_text("Construction")
    expect(table).to_contain_text("Russian Federation")
    page.goto("/statistics?kind=flows&from_month=2026-03&to_month=2026-03&by1=sex")
    expect(page.locator("#stats-table")).to_contain_text("Departure")
    expect(page.locator("#stats-table")).to_contain_text("Male")


@pytest.mark.e2e
@pytest.mark.browser
def test_a_month_not_yet_ended_is_an_error_next_to_the_field_not_a_table(console):
    console.sign_in("analyst")
    page = console.page
    page.goto("/statistics")  # the default, last complete month, is counted
    expect(page.locator("main h2")).to_contain_text("People abroad on")
    page.goto("/statistics?kind=stock&month=2099-12&by1=sex")
    expect(page.locator("#f-month-error")).to_have_text("This month has not ended yet.")
    expect(page.locator("#stats-table")).to_have_count(0)
    page.goto("/statistics?kind=flows&from_month=2026-01&to_month=2099-12&by1=sex")
    expect(page.locator("#f-to-error")).to_have_text("This month has not ended yet.")
    # The CSV address (kept from an earlier visit, say) leads to the page that says why.
    csv = page.request.get("/statistics.csv?kind=stock&month=2099-12&by1=sex", max_redirects=0)
    assert csv.status == 303 and csv.headers["location"].startswith("/statistics?")
    page.context.add_cookies([{"name": "lang", "value": "ru", "url": console.url}])
    page.goto("/statistics?kind=stock&month=2099-12&by1=sex")
    expect(page.locator("#f-month-error")).to_have_text("Этот месяц ещё не закончился.")
