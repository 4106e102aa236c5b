"""Imports of lists that break the reader or the job: a NUL, an oversized cell, a header
naming a column twice, NUL in the upload's form fields, a job that raises."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from migreg.main import app
from services.registry.audit.verify import psycopg_url
from services.registry.imports import jobs
from services.registry.imports.kinds import KINDS, Kind
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, person_body
from tests.registry.test_registry_import import count_people, rejected_rows
from tests.registry.test_registry_import_files import run_import
from tests.registry.test_registry_import_upload import a_runner, persons_csv, run_jobs, upload

NUL_LIST = b"pin,last_name\n\x00\x00\x00,\x00\n"
HUGE = 140 * 1024  # over the CSV reader's 128 KiB field limit
HUGE_LIST = b"pin,last_name\n1," + b"x" * HUGE + b"\n"
FINAL = {"done", "failed"}


async def job(registry: httpx.AsyncClient, job_id: str) -> Any:
    return (await registry.get(f"/v1/imports/{job_id}", headers=REGISTRAR)).json()


async def settled(registry: httpx.AsyncClient, ids: list[str], seconds: float) -> list[Any]:
    """The jobs once all are done or failed, or as they stand after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        states = [await job(registry, i) for i in ids]
        if all(s["state"] in FINAL for s in states) or time.monotonic() > deadline:
            return states
        await asyncio.sleep(0.1)


async def test_a_nul_row_and_an_oversized_cell_end_their_jobs_and_others_run_promptly(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    good = person_body()
    async with a_runner(registry_settings, poll=600):
        nul = await upload(registry, NUL_LIST, "nul.csv")
        huge = await upload(registry, HUGE_LIST, "huge.csv")
        assert (nul.status_code, huge.status_code) == (202, 202), huge.text
        after = await upload(registry, persons_csv([good]))
        states = await settled(
            registry, [nul.json()["id"], huge.json()["id"], after.json()["id"]], 10
        )

    first, second, third = states
    # The NUL row is rejected in the report, its cells shown with U+FFFD for each NUL.
    assert first["state"] == "done", first
    assert first["report"]["rejected_rows"] == 1
    assert {r["field"] for r in first["report"]["rejected"]} >= {"pin", "last_name"}
    assert first["report"]["rejected"][0]["original"] == {
        "pin": "\ufffd\ufffd\ufffd",
        "last_name": "\ufffd",
    }
    # The oversized cell fails its job, naming the line and the limit.
    assert second["state"] == "failed", second
    assert "line 2" in second["error"] and "131072" in second["error"]
    # The good upload after them is not held up.
    assert (third["state"], third["report"]["loaded"]) == ("done", 1), third


async def test_a_job_that_keeps_raising_fails_after_three_starts_with_its_reason(
    registry: httpx.AsyncClient,
    registry_settings: RegistrySettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the loader broke")

    monkeypatch.setitem(KINDS, "persons", Kind(broken, KINDS["persons"].fields))
    sent = (await upload(registry, persons_csv([person_body()]))).json()["id"]

    await run_jobs(registry_settings)  # never raises: each start ends the job or queues it

    failed = await job(registry, sent)
    assert failed["state"] == "failed", failed
    assert "the loader broke" in failed["error"] and "3" in failed["error"]
    with psycopg.connect(psycopg_url(registry_settings.database_url)) as conn:
        row = conn.execute("SELECT attempts FROM import_jobs WHERE id = %s", (sent,)).fetchone()
    assert row == (jobs.MAX_ATTEMPTS,)


def multipart(filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A persons upload's body as sent, the file's name byte for byte (httpx escapes a NUL)."""
    boundary = "x-boundary-x"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\npersons\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: text/csv\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


async def test_nul_in_the_upload_form_fields_is_a_422_naming_the_field(
    registry: httpx.AsyncClient,
) -> None:
    content = persons_csv([person_body()])
    body, kind = multipart(b"a\x00b.csv", content)
    named = await registry.post(
        "/v1/imports", content=body, headers={**REGISTRAR, "Content-Type": kind}
    )
    cases = [
        (named, "file"),
        (await upload(registry, content, encoding="cp\x001251"), "encoding"),
        (await upload(registry, content, mapping='[columns]\n"a\\u0000" = "pin"\n'), "mapping"),
        (await upload(registry, content, mapping='[columns]\n"pin" = "p\\u0000in"\n'), "mapping"),
    ]
    for answer, field in cases:
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in answer.json()["errors"]}, answer.text


TWICE = "pin,last_name,first_name,sex,birth_date,region,last_name\n"
MAPPED_TWICE = ("pin,Фамилия,last_name\n", '[columns]\n"Фамилия" = "last_name"\n')


async def test_a_header_naming_a_field_twice_is_refused_before_loading(
    tmp_path: Path, registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    body = person_body()
    row = ",".join([*body.values(), "Другая"]) + "\n"
    twice = (TWICE + row).encode()
    sent = await upload(registry, twice)
    mapped = await upload(registry, MAPPED_TWICE[0].encode(), mapping=MAPPED_TWICE[1])
    for answer in (sent, mapped):
        assert answer.status_code == 422, answer.text
        (error,) = answer.json()["errors"]
        assert error["field"] == "file" and "last_name" in error["reason"], answer.text

    (tmp_path / "twice.csv").write_bytes(twice)
    result = run_import(registry_settings, str(tmp_path / "twice.csv"))
    assert result.exit_code == 2, result.output
    assert "last_name" in result.output and "twice" in result.output
    assert count_people(registry_settings.database_url) == 0
    (tmp_path / "mapped.csv").write_text(MAPPED_TWICE[0], encoding="utf-8")
    (tmp_path / "mapping.toml").write_text(MAPPED_TWICE[1], encoding="utf-8")
    both = run_import(
        registry_settings, str(tmp_path / "mapped.csv"), "--mapping", str(tmp_path / "mapping.toml")
    )
    assert both.exit_code == 2 and "Фамилия" in both.output, both.output


def test_the_cli_names_an_oversized_cell_in_one_line_and_a_nul_row_is_rejected(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    (tmp_path / "huge.csv").write_bytes(HUGE_LIST)
    result = run_import(registry_settings, str(tmp_path / "huge.csv"))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "line 2" in result.output and "131072" in result.output

    (tmp_path / "nul.csv").write_bytes(NUL_LIST)
    rejected = run_import(registry_settings, str(tmp_path / "nul.csv"))
    assert rejected.exit_code == 1, rejected.output
    assert {r["row"] for r in rejected_rows(tmp_path / "nul")} == {"2"}


async def test_a_mapping_to_an_unknown_field_is_refused_listing_the_fields(
    tmp_path: Path, registry: httpx.AsyncClient
) -> None:
    mapping = '[columns]\n"ПИН" = "nosuchfield"\n'
    content = "ПИН,last_name\n1,Иванов\n".encode()

    answer = await upload(registry, content, mapping=mapping)

    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["field"] == "mapping"
    assert "'nosuchfield'" in error["reason"] and "last_name" in error["reason"]
    moves = await upload(registry, content, kind="movements", mapping='[columns]\n"ПИН" = "pin"\n')
    assert moves.status_code == 422 and "person_pin" in moves.text, moves.text

    (tmp_path / "list.csv").write_bytes(content)
    (tmp_path / "mapping.toml").write_text(mapping, encoding="utf-8")
    env = {"REGISTRY_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}  # not reached
    result = CliRunner().invoke(
        app,
        [
            "import",
            "persons",
            str(tmp_path / "list.csv"),
            "--mapping",
            str(tmp_path / "mapping.toml"),
        ],
        env=env,
    )
    assert result.exit_code == 2, result.output
    assert "nosuchfield" in result.output and "birth_date" in result.output
