"""`migreg import persons` and `POST /v1/imports` with awkward files, and the import's
rejections against the API's for the same bodies (one set of rules)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from migreg.main import app
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, person_body
from tests.registry.test_registry_import import count_people, rejected_rows
from tests.registry.test_registry_import_upload import upload


def run_import(registry_settings: RegistrySettings, *args: str) -> Any:
    env = {"REGISTRY_DATABASE_URL": registry_settings.database_url}
    return CliRunner().invoke(app, ["import", "persons", *args], env=env)


def write_rows(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


async def test_a_broken_workbook_is_refused_without_naming_server_paths(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    garbage = os.urandom(4096)

    answer = await upload(registry, garbage, "x.xlsx")

    assert answer.status_code == 422, answer.text
    said = answer.json()["detail"] + " ".join(e["reason"] for e in answer.json()["errors"])
    assert "not a readable Excel workbook" in said
    assert "/" not in said and "registry-import-" not in said and "upload.xlsx" not in said

    (tmp_path / "x.xlsx").write_bytes(garbage)
    result = run_import(registry_settings, str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2, result.output
    assert "not a readable Excel workbook" in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)


def test_a_cp1251_list_is_a_clear_error_and_loads_with_its_encoding(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    bodies = [person_body() for _ in range(200)]
    header = list(bodies[0])
    # UTF-8 for its first 16 KB, then a row pasted in from a cp1251 list: the
    # reader's first block decodes, the failure comes mid-import.
    mixed = tmp_path / "mixed.csv"
    write_rows(mixed, header, [list(b.values()) for b in bodies[:-1]], "utf-8")
    with mixed.open("a", newline="", encoding="cp1251") as handle:
        csv.writer(handle).writerow(list(bodies[-1].values()))
    assert mixed.stat().st_size > 16_384

    result = run_import(registry_settings, str(mixed))

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "not UTF-8 text" in result.output and "line 201" in result.output
    assert "--encoding" in result.output
    assert count_people(registry_settings.database_url) == 0  # refused before loading

    ministry = write_rows(
        tmp_path / "ministry.csv", header, [list(b.values()) for b in bodies], "cp1251"
    )
    refused = run_import(registry_settings, str(ministry))
    assert refused.exit_code == 2 and "line 2" in refused.output, refused.output
    loaded = run_import(registry_settings, str(ministry), "--encoding", "cp1251")
    assert loaded.exit_code == 0, loaded.output
    assert count_people(registry_settings.database_url) == 200


def test_extra_unnamed_cells_reject_their_row_by_column(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    bodies = [person_body() for _ in range(3)]
    header = [*bodies[0], ""]  # a trailing unnamed column, as a spreadsheet exports it
    rows = [
        [*bodies[0].values(), ""],  # nothing in it: fine
        [*bodies[1].values(), "", "ушел в 2019"],  # a note beyond the header
        [*bodies[2].values(), "Ош"],  # a value under the unnamed header
    ]
    path = write_rows(tmp_path / "list.csv", header, rows, "utf-8")

    result = run_import(registry_settings, str(path))

    assert result.exit_code == 1, result.output
    assert "1 loaded" in result.output and "2 rejected" in result.output
    width = len(header)
    report = {(r["row"], r["field"]) for r in rejected_rows(tmp_path / "list")}
    assert report == {("3", f"column {width + 1}"), ("4", f"column {width}")}


BAD_BODIES: list[dict[str, Any]] = [
    {**person_body(), "pin": "2140319901234"},  # 13 digits
    {**person_body(), "pin": "31403199012345"},  # no such sex digit
    {**person_body(birth_date="1991-01-01"), "pin": person_body()["pin"]},
    {**person_body(), "sex": "F"},  # the PIN says M
    {**person_body(), "sex": "X"},
    person_body(region="KG-XX"),
    person_body(region="RU-MOW"),
    person_body(last_name="Smith"),
    person_body(first_name_latin="Нурлан"),
    {**person_body(), "birth_date": "14.03.1990"},
    person_body(phone="12345"),
    person_body(phone="+996 555 12"),
    person_body(language="de"),
    person_body(locality="Ош\x07"),
    person_body(locality="x" * 121),
    {k: v for k, v in person_body().items() if k != "first_name"},
    {**person_body(), "nickname": "Нуке"},
    {**person_body(last_name="Smith", region="KG-XX"), "sex": "X"},  # several at once
]


async def test_the_import_rejects_what_the_api_rejects_for_the_same_reasons(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    header = list(dict.fromkeys(k for body in BAD_BODIES for k in body))
    rows = [[str(body.get(k, "")) for k in header] for body in BAD_BODIES]
    path = write_rows(tmp_path / "bad.csv", header, rows, "utf-8")

    result = run_import(registry_settings, str(path))

    assert result.exit_code == 1, result.output
    assert "0 loaded" in result.output
    by_row: dict[int, set[tuple[str, str]]] = {}
    for r in rejected_rows(tmp_path / "bad"):
        by_row.setdefault(int(r["row"]), set()).add((r["field"], r["reason"]))
    for number, body in enumerate(BAD_BODIES, start=2):
        answer = await registry.post("/v1/persons", json=body, headers=REGISTRAR)
        assert answer.status_code == 422, answer.text
        api = {(e["field"], e["reason"]) for e in answer.json()["errors"]}
        assert by_row[number] == api, body
