"""`migreg import` and `POST /v1/imports` tell the same story: progress that ends at its
total, reports in row order, one rule for which files are lists and which encoding is
the default, and plain reasons for a malformed upload."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, person_body
from tests.registry.test_registry_import import count_people, rejected_rows
from tests.registry.test_registry_import_encoding import finished
from tests.registry.test_registry_import_files import run_import
from tests.registry.test_registry_import_upload import persons_csv, upload


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_a_blank_row(suffix: str) -> bytes:
    """Five people with a blank row after the second: six rows under the header."""
    bodies = [person_body() for _ in range(5)]
    values = [list(b.values()) for b in bodies]
    if suffix == ".xlsx":
        return workbook([list(bodies[0]), *values[:2], [], *values[2:]])
    lines = persons_csv(bodies).decode().splitlines(keepends=True)
    return "".join([*lines[:3], "\r\n", *lines[3:]]).encode()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
async def test_a_blank_row_counts_as_done_so_progress_ends_at_its_total(
    suffix: str,
    tmp_path: Path,
    registry: httpx.AsyncClient,
    registry_settings: RegistrySettings,
) -> None:
    content = with_a_blank_row(suffix)

    sent = await upload(registry, content, "list" + suffix)
    assert sent.status_code == 202, sent.text
    done = await finished(registry, registry_settings, sent.json()["id"])

    assert done["state"] == "done", done
    assert (done["rows_total"], done["rows_done"]) == (6, 6)
    assert (done["report"]["loaded"], done["report"]["rejected_rows"]) == (5, 0)

    path = tmp_path / ("again" + suffix)
    path.write_bytes(content)
    result = run_import(registry_settings, str(path))
    assert result.exit_code == 0, result.output
    assert "6/6" in result.output and "100%" in result.output, result.output


async def test_a_workbook_job_shows_no_encoding_a_csv_job_its_own(
    registry: httpx.AsyncClient,
) -> None:
    body = person_body()
    book = workbook([list(body), list(body.values())])

    sheet = await upload(registry, book, "list.xlsx", encoding="cp1251")
    text = await upload(registry, persons_csv([person_body()]), "list.csv")

    assert sheet.status_code == 202, sheet.text
    assert sheet.json()["encoding"] is None
    again = await registry.get(f"/v1/imports/{sheet.json()['id']}", headers=REGISTRAR)
    assert again.json()["encoding"] is None
    assert text.json()["encoding"] == "utf-8"


def rejected_at_two_stages() -> list[dict[str, Any]]:
    """Rows 2-9: row 7 repeats row 2's PIN (refused after validation), row 9 has no
    such region (refused by validation), so the loader meets row 9 first."""
    bodies = [person_body() for _ in range(8)]
    bodies[5] = {**bodies[0], "last_name": "Другой"}
    bodies[7] = {**bodies[7], "region": "KG-XX"}
    return bodies


async def test_rejected_rows_are_listed_in_row_order(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    content = persons_csv(rejected_at_two_stages())
    (tmp_path / "list.csv").write_bytes(content)

    result = run_import(registry_settings, str(tmp_path / "list.csv"))
    sent = await upload(registry, content)
    done = await finished(registry, registry_settings, sent.json()["id"])

    assert result.exit_code == 1, result.output
    assert [(r["row"], r["field"]) for r in rejected_rows(tmp_path / "list")] == [
        ("7", "pin"),
        ("9", "region"),
    ]
    assert [(r["row"], r["field"]) for r in done["report"]["rejected"]] == [
        (7, "pin"),
        (9, "region"),
    ]


async def test_a_plain_field_where_the_file_goes_is_a_422_saying_so(
    registry: httpx.AsyncClient,
) -> None:
    answer = await registry.post(
        "/v1/imports", data={"kind": "persons", "file": "hello"}, headers=REGISTRAR
    )

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    (error,) = answer.json()["errors"]
    assert error["field"] == "file"
    assert error["reason"] == "must be a file upload (multipart file part)"


def test_the_cli_reads_an_empty_encoding_as_utf8_like_http(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(persons_csv([person_body(last_name="Жумабаев")]))

    result = run_import(registry_settings, str(path), "--encoding", "")

    assert result.exit_code == 0, result.output
    assert count_people(registry_settings.database_url) == 1


async def test_http_reads_an_empty_encoding_as_utf8(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    sent = await upload(registry, persons_csv([person_body(last_name="Жумабаев")]), encoding="")

    assert sent.status_code == 202, sent.text
    done = await finished(registry, registry_settings, sent.json()["id"])
    assert (done["state"], done["report"]["loaded"]) == ("done", 1), done


async def test_a_file_that_is_not_csv_or_xlsx_is_refused_by_both(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    content = persons_csv([person_body()])
    (tmp_path / "list.txt").write_bytes(content)

    result = run_import(registry_settings, str(tmp_path / "list.txt"))
    answer = await upload(registry, content, "list.txt")

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "list.txt: must be a .csv or .xlsx file" in result.output
    assert count_people(registry_settings.database_url) == 0
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert (error["field"], error["reason"]) == ("file", "must be a .csv or .xlsx file")
