"""What an outside tester met in the forms, the audit trail and the sign-in page:
errors in the user's language next to their field and all at once, named choices
instead of codes, a way back to the person, and an audit filter that says what is
wrong with it. Over HTTP against the console process where the page is the server's
work; in the browser where it is the user's."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.console.conftest import PERSON_FORM, Seed
from tests.support.live import LiveSystem
from tests.support.tokens import bearer

pytestmark = [pytest.mark.e2e]

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


class Staff:
    """A member of staff signed in to the console over plain HTTP, in one language."""

    def __init__(self, url: str, role: str, language: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=20, cookies={"lang": language})
        page = self.client.get("/sign-in")
        data = {"role": role, "name": f"polish-{role}", "csrf_token": self._csrf(page.text)}
        assert self.client.post("/sign-in/dev", data=data).status_code == 303

    @staticmethod
    def _csrf(html: str) -> str:
        found = CSRF.search(html)
        assert found, "no CSRF token on the page"
        return found.group(1)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def submit(self, path: str, values: dict[str, str]) -> httpx.Response:
        """Open the form at ``path`` and send it with ``values``, as the browser would."""
        form = self.client.get(path).text
        key = KEY.search(form)
        data = {
            **values,
            "csrf_token": self._csrf(form),
            "idempotency_key": key.group(1) if key else "",
        }
        return self.client.post(path, data=data)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def staff(console_url: str) -> Iterator[Callable[..., Staff]]:
    made: dict[str, Staff] = {}

    def sign_in(role: str, language: str = "en") -> Staff:
        made[f"{role}-{language}"] = Staff(console_url, role, language)
        return made[f"{role}-{language}"]

    yield sign_in
    for member in made.values():
        member.close()


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="f-{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def test_form_errors_are_plain_russian_next_to_each_field_and_all_at_once(staff):
    registrar = staff("registrar", "ru")
    # A Latin last name where Cyrillic is asked, and a PIN (male, born 14.03.1990)
    # that disagrees with both the sex and the birth date typed.
    values = {**PERSON_FORM, "last_name": "Abdykadyrov", "sex": "F", "birth_date": "1990-03-15"}
    answer = registrar.submit("/persons/new", values)
    assert answer.status_code == 422
    html = answer.text
    assert _error(html, "last_name") == "Пишите кириллицей, как в паспорте."
    # The PIN's disagreement is there on the same try, in the user's words.
    assert _error(html, "sex") == "По ПИН: Мужской."
    assert _error(html, "birth_date").startswith("По ПИН: ") and "1990" in _error(
        html, "birth_date"
    )
    assert _error(html, "pin").startswith("По ПИН: Мужской")
    for english in ("String should match pattern", "PIN encodes", "birth_date is", "[А-Я"):
        assert english not in html


def test_a_pin_alone_wrong_is_also_said_in_kyrgyz(staff):
    registrar = staff("registrar", "ky")
    answer = registrar.submit("/persons/new", {**PERSON_FORM, "pin": "31403199012345"})
    assert answer.status_code == 422
    assert _error(answer.text, "pin") == "ПИН 1 (аял) же 2 (эркек) менен башталат."
    assert "PIN must start" not in answer.text


def test_the_pin_check_while_typing_says_why_in_russian(staff):
    answer = staff("registrar", "ru").get("/persons/pin-check?pin=33102199012345")
    assert "ПИН начинается с 1 (женщина) или 2 (мужчина)." in answer.text
    assert "PIN must start" not in answer.text


def test_the_departure_form_offers_named_choices_and_a_way_back(staff, seed: Seed):
    person = seed.person(pin="21403199054321")
    registrar = staff("registrar", "ru")
    html = registrar.get(f"/persons/{person['id']}/departures/new").text
    assert f'<a href="/persons/{person["id"]}">← Абдыкадыров Нурлан</a>' in html
    countries = re.search(r'<select id="f-destination_country".*?</select>', html, re.S)
    assert countries is not None
    options = re.findall(r'<option value="([A-Z]*)"[^>]*>([^<]*)</option>', countries.group(0))
    # Nothing chosen unawares: a blank "choose" first, then the common destinations.
    assert options[0] == ("", "Выберите страну")
    assert options[1] == ("RU", "Российская Федерация")
    assert [code for code, _ in options[1:5]] == ["RU", "KZ", "TR", "KR"]
    assert "KG" not in {code for code, _ in options}
    rest = [name for _, name in options[10:]]
    assert rest == sorted(rest, key=str.casefold)
    assert '<option value="F">Строительство</option>' in html
    assert '<option value="7">Квалифицированные рабочие и ремесленники</option>' in html

    # A hand-made request with a sector the registry refuses is answered in words.
    refused = registrar.submit(
        f"/persons/{person['id']}/departures/new",
        {"departed_on": "2026-03-01", "destination_country": "RU", "sector": "Z"},
    )
    assert refused.status_code == 422
    assert _error(refused.text, "sector") == "Отрасль — буква от A до U: выберите из списка."
    assert f'href="/persons/{person["id"]}">← ' in refused.text


def test_the_return_form_has_a_way_back_to_the_person(staff, seed: Seed):
    person = seed.person(pin="21403199054322")
    html = staff("registrar").get(f"/persons/{person['id']}/returns/new").text
    assert f'<a href="/persons/{person["id"]}">← Абдыкадыров Нурлан</a>' in html


def test_the_audit_filter_says_what_is_wrong_with_it(staff, seed: Seed):
    person = seed.person(pin="21403199054323")
    auditor = staff("auditor")
    short = auditor.get(f"/audit?person_id={person['id'][:8]}")
    assert short.status_code == 200
    assert _error(short.text, "person_id") == "Use the whole id, as copied from the table."
    assert "valid UUID" not in short.text and "Something went wrong" not in short.text
    bad_date = auditor.get("/audit?from=yesterday")
    assert bad_date.status_code == 200
    assert _error(bad_date.text, "from") == "Enter a real date."

    # The table gives the whole id to copy, and names actions and records.
    trail = auditor.get("/audit").text
    assert f'<code class="id">{person["id"]}</code>' in trail
    assert "<td>Created</td><td>Person</td>" in trail
    assert "<td>create</td>" not in trail


def test_more_than_a_page_of_audit_events_pages_on(staff, seed: Seed, live: LiveSystem):
    person = seed.person(pin="21403199054324")
    url = live.urls["registry"] + f"/v1/persons/{person['id']}"
    with httpx.Client(headers=bearer("registrar"), timeout=10) as registry:
        for _ in range(101):
            assert registry.get(url).status_code == 200
    auditor = staff("auditor")
    first = auditor.get(f"/audit?person_id={person['id']}").text
    assert first.count("<td>Viewed</td>") == 100
    older = re.search(r'<a href="([^"]+)" rel="next">Older events »</a>', first)
    assert older is not None
    second = auditor.get(older.group(1).replace("&amp;", "&")).text
    # The rest: the last read and the registration itself, under the same filter.
    assert second.count("<td>Viewed</td>") == 1
    assert "<td>Created</td><td>Person</td>" in second
    assert "« Newest" in second and 'rel="next"' not in second


def test_the_sign_in_page_names_consulates_and_shows_the_command_as_code(console_url):
    html = httpx.get(console_url + "/sign-in", cookies={"lang": "en"}, timeout=20).text
    assert re.search(r'<option value="RU-MOW">RU-MOW — [^<,]+, Russian Federation</option>', html)
    assert "<code>migreg token</code>" in html and "`migreg" not in html


@pytest.mark.browser
def test_the_registrar_sees_every_mistake_on_the_first_try(console, page):
    console.sign_in("registrar")
    page.context.add_cookies([{"name": "lang", "value": "ru", "url": console.url}])
    page.goto("/persons/new")
    console.fill_person(last_name="Abdykadyrov", sex="F")
    page.click("button[type=submit].primary")
    expect(page.locator("#f-last_name-error")).to_have_text("Пишите кириллицей, как в паспорте.")
    expect(page.locator("#f-sex-error")).to_have_text("По ПИН: Мужской.")
    expect(page.locator("#f-sex")).to_have_attribute("aria-invalid", "true")
    console.check("register-person-all-errors-ru")
