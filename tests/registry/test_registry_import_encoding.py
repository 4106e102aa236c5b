"""`POST /v1/imports` with a list saved in another text encoding (`encoding`, as the CLI's)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import psycopg
import pytest

from services.registry.audit.verify import psycopg_url
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, person_body
from tests.registry.test_registry_import_files import run_import
from tests.registry.test_registry_import_upload import persons_csv, run_jobs, upload

# Russian letters: cp1251 has no Kyrgyz ң, ө, ү.
NAMES = [("Абдыкадыров", "Нурлан"), ("Жумабаева", "Айгуль")]


def cp1251_list() -> tuple[list[dict[str, Any]], bytes]:
    bodies = [person_body(last_name=last, first_name=first) for last, first in NAMES]
    return bodies, persons_csv(bodies).decode().encode("cp1251")


async def names_of(registry: httpx.AsyncClient, pin: str) -> tuple[str, str]:
    found = await registry.get("/v1/persons", params={"pin": pin}, headers=REGISTRAR)
    (person,) = found.json()["items"]
    return person["last_name"], person["first_name"]


async def finished(registry: httpx.AsyncClient, settings: RegistrySettings, job_id: str) -> Any:
    await run_jobs(settings)
    return (await registry.get(f"/v1/imports/{job_id}", headers=REGISTRAR)).json()


async def test_a_cp1251_list_loads_with_its_encoding_and_reads_back_in_cyrillic(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    bodies, content = cp1251_list()

    sent = await upload(registry, content, encoding="cp1251")

    assert sent.status_code == 202, sent.text
    assert sent.json()["encoding"] == "cp1251"
    done = await finished(registry, registry_settings, sent.json()["id"])
    assert (done["state"], done["report"]["loaded"]) == ("done", len(bodies)), done
    for body in bodies:
        assert await names_of(registry, body["pin"]) == (body["last_name"], body["first_name"])


async def test_a_cp1251_list_sent_as_utf8_names_its_first_undecodable_line(
    registry: httpx.AsyncClient,
) -> None:
    _, content = cp1251_list()

    refused = await upload(registry, content, "ministry.csv")

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    (error,) = refused.json()["errors"]
    assert error["field"] == "file"
    assert "ministry.csv: line 2 is not UTF-8 text" in error["reason"]
    assert "`encoding`" in error["reason"]  # what to do about it


async def test_a_job_whose_file_does_not_decode_fails_naming_the_line_and_the_upload(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    # A job whose stored encoding does not fit its file (queued by an older
    # registry that did not check it, say): the runner ends it with the reason.
    _, content = cp1251_list()
    sent = await upload(registry, content, "ministry.csv", encoding="cp1251")
    job_id = sent.json()["id"]
    with psycopg.connect(psycopg_url(registry_settings.database_url)) as conn:
        conn.execute("UPDATE import_jobs SET encoding = 'utf-8' WHERE id = %s", (job_id,))

    done = await finished(registry, registry_settings, job_id)

    assert done["state"] == "failed", done
    assert "ministry.csv: line 2 is not UTF-8 text" in done["error"]
    assert "upload.csv" not in done["error"]


@pytest.mark.parametrize("encoding", ["klingon-8", "rot13", "hex", "undefined", "x" * 5000])
async def test_an_unknown_or_non_text_encoding_is_a_422_naming_encoding(
    registry: httpx.AsyncClient, encoding: str
) -> None:
    _, content = cp1251_list()

    refused = await upload(registry, content, encoding=encoding)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    (error,) = refused.json()["errors"]
    assert error["field"] == "encoding"


async def test_a_workbook_accepts_an_encoding_and_ignores_it(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    (body,) = cp1251_list()[0][:1]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(body))
    sheet.append(list(body.values()))
    out = io.BytesIO()
    book.save(out)

    sent = await upload(registry, out.getvalue(), "list.xlsx", encoding="cp1251")

    assert sent.status_code == 202, sent.text
    done = await finished(registry, registry_settings, sent.json()["id"])
    assert done["state"] == "done", done
    assert await names_of(registry, body["pin"]) == (body["last_name"], body["first_name"])


def test_the_cli_refuses_a_non_text_encoding_in_one_line(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(cp1251_list()[1])

    result = run_import(registry_settings, str(path), "--encoding", "rot13")

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "'rot13' is not a known text encoding" in result.output
