"""`migreg import persons`: legacy lists in, the API's rules, a report out."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import psycopg
import pytest
from typer.testing import CliRunner

from migreg.main import app
from services.registry.audit.verify import psycopg_url
from services.registry.clock import today
from services.registry.imports.persons import import_persons
from services.registry.imports.read import open_sheet
from services.registry.settings import RegistrySettings
from tests.registry.audit_helpers import migreg, seal
from tests.registry.conftest import REGISTRAR, person_body
from tests.support.tokens import bearer

HEADER = [*person_body().keys(), "phone", "locality"]
AUDITOR = bearer("auditor", subject="dpo")


def write_csv(path: Path, bodies: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=HEADER)
        out.writeheader()
        out.writerows(bodies)
    return path


def run_import(registry_settings: RegistrySettings, *args: str) -> Any:
    env = {"REGISTRY_DATABASE_URL": registry_settings.database_url}
    return CliRunner().invoke(app, ["import", "persons", *args], env=env)


def rejected_rows(stem: Path) -> list[dict[str, str]]:
    with stem.with_name(stem.name + ".rejected.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def count_people(url: str) -> int:
    with psycopg.connect(psycopg_url(url)) as conn:
        row = conn.execute("SELECT count(*) FROM persons").fetchone()
    return int(row[0]) if row else 0


async def test_valid_rows_go_in_and_rejected_rows_are_reported_like_the_api(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    good = [person_body(last_name="Жумабаев", last_name_latin="Zhumabaev", phone="0555 123 456")]
    good += [person_body() for _ in range(3)]
    wrong_pin = person_body(birth_date="1991-01-01")
    wrong_pin["pin"] = person_body()["pin"]  # its digits say born 1990-03-14
    bad = [
        wrong_pin,
        person_body(region="KG-XX"),
        person_body(last_name="Smith"),
        {**person_body(), "pin": good[2]["pin"]},  # the same PIN twice in one file
    ]
    path = write_csv(tmp_path / "list.csv", good + bad)

    result = run_import(registry_settings, str(path))

    assert result.exit_code == 1, result.output  # rejected rows: non-zero, the rest loaded
    assert "4 loaded" in result.output and "4 rejected" in result.output
    report = rejected_rows(tmp_path / "list")
    by_row = {int(r["row"]): r for r in report}
    assert by_row[6]["field"] == "pin"
    assert by_row[7]["field"] == "region"
    assert by_row[8]["field"] == "last_name"
    assert "row 4" in by_row[9]["reason"]
    assert json.loads(by_row[7]["original"])["region"] == "KG-XX"

    # The API says the same about the same bodies: one set of rules.
    for row, body in ((6, wrong_pin), (7, bad[1]), (8, bad[2])):
        answer = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
        assert answer.status_code == 422
        assert {e["field"] for e in answer.json()["errors"]} >= {by_row[row]["field"]}

    # Imported people are found like registered ones, by a misspelling, with the phone in E.164.
    found = await registry.get("/v1/persons", params={"q": "Jumabaev"}, headers=REGISTRAR)
    items = found.json()["items"]
    assert [p["pin"] for p in items] == [good[0]["pin"]]
    assert items[0]["phone"] == "+996555123456"
    assert items[0]["status"] == "in_country"


def test_a_rerun_adds_nothing_and_an_interrupted_run_completes(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    bodies = [person_body() for _ in range(9)]
    path = write_csv(tmp_path / "list.csv", bodies)
    url = registry_settings.database_url
    on = today(registry_settings)

    class Interrupted(Exception):
        pass

    def stop_after_first_chunk(n: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted), psycopg.connect(psycopg_url(url)) as conn:
        import_persons(
            conn, open_sheet(path, {}).rows, registry_settings, on, stop_after_first_chunk, chunk=4
        )
    assert count_people(url) == 4  # the first chunk was committed, then the run stopped

    with psycopg.connect(psycopg_url(url)) as conn:
        again = import_persons(conn, open_sheet(path, {}).rows, registry_settings, on, chunk=4)
    assert (again.loaded, again.already_present, again.rejected) == (5, 4, [])
    assert count_people(url) == 9

    third = run_import(registry_settings, str(path))
    assert third.exit_code == 0, third.output
    assert "0 loaded, 9 already present" in third.output
    assert count_people(url) == 9
    # Every person written is audited once, however many runs it took.
    with psycopg.connect(psycopg_url(url)) as conn:
        events = conn.execute(
            "SELECT action, count(DISTINCT resource_id), count(*) FROM audit_events "
            "WHERE resource_type = 'person' AND actor LIKE 'migreg import%' GROUP BY action"
        ).fetchall()
    assert events == [("create", 9, 9)]


async def test_excel_with_other_headers_through_a_mapping_file(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    headers = {"pin": "ПИН", "last_name": "Фамилия", "first_name": "Имя", "birth_date": "Дата"}
    body = person_body(last_name="Осмонова", first_name="Айгүл", sex="F", birth_date="1988-07-02")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    columns = list(body)
    sheet.append([headers.get(c, c) for c in columns])
    # Excel holds the PIN as a number and the birth date as a date cell.
    cells = {**body, "pin": int(body["pin"]), "birth_date": date(1988, 7, 2)}
    sheet.append(list(cells.values()))
    book.save(tmp_path / "list.xlsx")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        "[columns]\n" + "".join(f'"{h}" = "{f}"\n' for f, h in headers.items()), encoding="utf-8"
    )

    result = run_import(registry_settings, str(tmp_path / "list.xlsx"), "--mapping", str(mapping))

    assert result.exit_code == 0, result.output
    found = await registry.get("/v1/persons", params={"pin": body["pin"]}, headers=REGISTRAR)
    (person,) = found.json()["items"]
    assert (person["last_name"], person["birth_date"]) == ("Осмонова", "1988-07-02")


def test_look_alikes_under_other_pins_are_listed_not_merged(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    first = person_body(last_name="Жээнбеков", first_name="Улан")
    # The same person typed in Latin-leaning Cyrillic ("Джээнбеков") under another PIN.
    second = person_body(last_name="Джээнбеков", first_name="Улан")
    other = person_body(last_name="Жээнбеков", first_name="Улан", birth_date="1991-02-02")
    path = write_csv(tmp_path / "list.csv", [first, second, other])

    result = run_import(registry_settings, str(path))

    assert result.exit_code == 0, result.output
    assert count_people(registry_settings.database_url) == 3  # not merged
    with (tmp_path / "list.duplicates.csv").open(encoding="utf-8") as handle:
        listed = list(csv.DictReader(handle))
    assert [(d["row"], d["pin"], d["other_pin"], d["other_row"]) for d in listed] == [
        ("3", second["pin"], first["pin"], "2")
    ]


async def test_family_members_of_a_demo_country_load_once_with_caregivers(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    env = {"REGISTRY_DATABASE_URL": registry_settings.database_url}
    generated = CliRunner().invoke(
        app, ["demo", "generate", "--persons", "40", "--seed", "3", "--out", str(tmp_path)]
    )
    assert generated.exit_code == 0, generated.output
    people = CliRunner().invoke(app, ["import", "persons", str(tmp_path / "persons.csv")], env=env)
    assert people.exit_code == 0, people.output
    family_csv = tmp_path / "family_members.csv"
    with family_csv.open("a", encoding="utf-8") as handle:  # one row nobody can own
        handle.write("29999999999999,1,spouse,Асанова,Айгүл,1990-01-01,F,,,ky,false,\n")
    first = CliRunner().invoke(app, ["import", "family-members", str(family_csv)], env=env)
    again = CliRunner().invoke(app, ["import", "family-members", str(family_csv)], env=env)

    with family_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    members = len(rows) - 1
    assert first.exit_code == 1 and f"{members} loaded" in first.output
    assert f"0 loaded, {members} already present, 1 rejected" in again.output
    assert rejected_rows(tmp_path / "family_members")[0]["field"] == "person_pin"

    # Through the API: one family as generated, the caregiver link kept.
    cared = next(r for r in rows if r["caregiver_number"])
    person = (
        await registry.get("/v1/persons", params={"pin": cared["person_pin"]}, headers=REGISTRAR)
    ).json()["items"][0]
    family = (
        await registry.get(f"/v1/persons/{person['id']}/family-members", headers=REGISTRAR)
    ).json()["items"]
    own = [r for r in rows if r["person_pin"] == cared["person_pin"]]
    assert sorted(m["first_name"] for m in family) == sorted(r["first_name"] for r in own)
    child = next(m for m in family if m["first_name"] == cared["first_name"])
    caregiver = next(r for r in own if r["member_number"] == cared["caregiver_number"])
    assert (
        next(m for m in family if m["id"] == child["caregiver_id"])["first_name"]
        == (caregiver["first_name"])
    )


async def test_after_a_bulk_import_the_chain_verifies_and_each_person_has_its_event(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    url = registry_settings.database_url
    before = await registry.post("/v1/persons", json=person_body(), headers=REGISTRAR)
    assert before.status_code == 201, before.text
    bodies = [person_body() for _ in range(7)]
    path = write_csv(tmp_path / "list.csv", bodies)
    with psycopg.connect(psycopg_url(url)) as conn:  # three chunks, three bulk appends
        import_persons(
            conn, open_sheet(path, {}).rows, registry_settings, today(registry_settings), chunk=3
        )
    after = await registry.post("/v1/persons", json=person_body(), headers=REGISTRAR)
    assert after.status_code == 201, after.text
    await seal(url)

    verified = await migreg("audit", "verify", "--database-url", url)
    assert verified.exit_code == 0, verified.output
    state = (await registry.get("/v1/audit/verification", headers=AUDITOR)).json()
    assert (state["status"], state["unsealed"]) == ("intact", 0), state
    with psycopg.connect(psycopg_url(url)) as conn:
        people: dict[str, Any] = dict(conn.execute("SELECT pin, id FROM persons").fetchall())
    for body in bodies:
        found = await registry.get(
            "/v1/audit-events", params={"person_id": str(people[body["pin"]])}, headers=AUDITOR
        )
        events = [(e["action"], e["resource_type"]) for e in found.json()["items"]]
        assert events == [("create", "person")], found.text
