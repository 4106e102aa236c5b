"""`POST /v1/imports`: registrars upload a list; a durable job runs it; the report comes back."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import openpyxl
import psycopg
import pytest
from fastapi import FastAPI

from services.registry.audit.verify import psycopg_url
from services.registry.imports import jobs, runner
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, person_body
from tests.support.tokens import bearer

LEASE = timedelta(seconds=300)


def persons_csv(bodies: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(bodies[0]))
    writer.writeheader()
    writer.writerows(bodies)
    return out.getvalue().encode()


async def upload(
    client: httpx.AsyncClient, content: bytes, name: str = "list.csv", **extra: Any
) -> httpx.Response:
    headers = {**REGISTRAR, **extra.pop("headers", {})}
    data = {"kind": extra.pop("kind", "persons"), **extra}
    return await client.post(
        "/v1/imports", data=data, files={"file": (name, content)}, headers=headers
    )


async def run_jobs(settings: RegistrySettings, lease: timedelta = LEASE) -> None:
    while await asyncio.to_thread(jobs.run_next, settings, lease) is not None:
        pass


async def test_an_upload_is_queued_then_loaded_with_the_same_report_as_the_cli(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    good = [person_body() for _ in range(3)]
    bad = person_body(region="KG-XX")
    sent = await upload(registry, persons_csv([*good, bad]))

    assert sent.status_code == 202, sent.text
    job = sent.json()
    assert sent.headers["Location"] == f"/v1/imports/{job['id']}"
    assert (job["state"], job["rows_total"], job["rows_done"]) == ("queued", 4, 0)

    await run_jobs(registry_settings)
    done = (await registry.get(f"/v1/imports/{job['id']}", headers=REGISTRAR)).json()

    assert (done["state"], done["rows_done"]) == ("done", 4)
    report = done["report"]
    assert (report["loaded"], report["rejected_rows"]) == (3, 1)
    (rejected,) = report["rejected"]
    assert (rejected["row"], rejected["field"]) == (5, "region")
    assert rejected["original"]["region"] == "KG-XX"
    # The API refuses the same body for the same reason.
    answer = await registry.post("/v1/persons", json=bad, headers=REGISTRAR)
    (error,) = answer.json()["errors"]
    assert (error["field"], error["reason"]) == ("region", rejected["reason"])
    found = await registry.get("/v1/persons", params={"pin": good[0]["pin"]}, headers=REGISTRAR)
    assert len(found.json()["items"]) == 1
    # The uploader is who the audit trail names for every person written.
    with psycopg.connect(psycopg_url(registry_settings.database_url)) as conn:
        actors = conn.execute(
            "SELECT DISTINCT actor, role FROM audit_events WHERE resource_type = 'person' "
            "AND action = 'create'"
        ).fetchall()
    assert actors == [("registrar-osh", "registrar")]

    again = await upload(registry, persons_csv([*good, bad]))
    await run_jobs(registry_settings)
    second = (await registry.get(f"/v1/imports/{again.json()['id']}", headers=REGISTRAR)).json()
    assert (second["report"]["loaded"], second["report"]["already_present"]) == (0, 3)


async def test_movements_and_family_members_upload_by_kind(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    person = person_body()
    await registry.post("/v1/persons", json=person, headers=REGISTRAR)
    moves = f"person_pin,kind,date,destination_country\n{person['pin']},departure,2024-03-01,RU\n"
    sent = await upload(registry, moves.encode(), "moves.csv", kind="movements")
    assert sent.status_code == 202, sent.text

    await run_jobs(registry_settings)

    done = (await registry.get(f"/v1/imports/{sent.json()['id']}", headers=REGISTRAR)).json()
    assert (done["state"], done["report"]["loaded"]) == ("done", 1)


async def test_idempotency_key_gives_the_same_job_and_refuses_another_file(
    registry: httpx.AsyncClient,
) -> None:
    content = persons_csv([person_body()])
    key = {"Idempotency-Key": "upload-1"}
    first = await upload(registry, content, headers=key)
    replay = await upload(registry, content, headers=key)
    other = await upload(registry, persons_csv([person_body()]), headers=key)

    assert (first.status_code, replay.status_code) == (202, 202)
    assert replay.json()["id"] == first.json()["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422


async def test_bad_files_are_refused_with_problem_json_naming_the_field(
    registry: httpx.AsyncClient,
) -> None:
    cases = [
        (await upload(registry, b"pin\n1\n", "list.txt"), "file"),
        (await upload(registry, b"", "list.csv"), "file"),
        (await upload(registry, "pin\n".encode("utf-16"), "list.csv"), "file"),
        (await upload(registry, b"not a workbook", "list.xlsx"), "file"),
        (await upload(registry, b"pin\n1\n", mapping="[columns"), "mapping"),
        (await upload(registry, b"pin\n1\n", kind="cats"), "kind"),
    ]
    for answer, field in cases:
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in answer.json()["errors"]}, answer.text

    analyst = bearer("analyst", subject="stats")
    refused = await registry.post(
        "/v1/imports", data={"kind": "persons"}, files={"file": ("a.csv", b"x")}, headers=analyst
    )
    assert refused.status_code == 403
    missing = await registry.get(
        "/v1/imports/00000000-0000-0000-0000-000000000000", headers=REGISTRAR
    )
    assert missing.status_code == 404


async def test_a_job_left_running_by_a_restart_resumes_or_fails_with_a_reason(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    bodies = [person_body() for _ in range(3)]
    resumed = (await upload(registry, persons_csv(bodies))).json()["id"]
    hopeless = (await upload(registry, persons_csv([person_body()]))).json()["id"]
    with psycopg.connect(psycopg_url(registry_settings.database_url)) as conn:
        # The registry stopped while both ran (one had started three times already).
        conn.execute(
            "UPDATE import_jobs SET state = 'running', updated_at = now() - interval '1 hour', "
            "attempts = CASE WHEN id = %s THEN 3 ELSE 1 END",
            (hopeless,),
        )

    await run_jobs(registry_settings, lease=timedelta(minutes=10))

    first = (await registry.get(f"/v1/imports/{resumed}", headers=REGISTRAR)).json()
    second = (await registry.get(f"/v1/imports/{hopeless}", headers=REGISTRAR)).json()
    assert (first["state"], first["report"]["loaded"]) == ("done", 3)
    assert second["state"] == "failed" and "upload the file again" in second["error"]


def test_only_the_upload_path_takes_large_bodies(registry_settings: RegistrySettings) -> None:
    limits = registry_settings.request_limits()
    assert limits.body_limit("/v1/imports") == 64 * 1024 * 1024
    assert limits.body_limit("/v1/persons") == limits.max_body_bytes == 1024 * 1024


async def test_a_spreadsheet_upload_counts_its_rows_and_loads(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    bodies = [person_body(), person_body()]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(bodies[0]))
    for body in bodies:
        sheet.append(list(body.values()))
    out = io.BytesIO()
    book.save(out)

    sent = await upload(registry, out.getvalue(), "list.xlsx")
    assert (sent.status_code, sent.json()["rows_total"]) == (202, 2), sent.text
    await run_jobs(registry_settings)

    done = (await registry.get(f"/v1/imports/{sent.json()['id']}", headers=REGISTRAR)).json()
    assert (done["state"], done["rows_done"], done["report"]["loaded"]) == ("done", 2, 2)


@contextlib.asynccontextmanager
async def a_runner(settings: RegistrySettings, poll: float) -> AsyncIterator[None]:
    """The registry process's import runner, as the app starts it, polling every ``poll`` s."""
    app = FastAPI()
    app.state.settings = settings.model_copy(update={"import_poll_interval_seconds": poll})
    async with runner.running_imports(app):
        yield


async def test_an_upload_starts_at_once_without_waiting_for_the_next_poll(
    registry: httpx.AsyncClient, registry_settings: RegistrySettings
) -> None:
    async with a_runner(registry_settings, poll=600):
        await asyncio.sleep(0.5)  # the runner has looked once and now waits
        job = (await upload(registry, persons_csv([person_body()]))).json()
        for _ in range(100):
            state = (await registry.get(f"/v1/imports/{job['id']}", headers=REGISTRAR)).json()
            if state["state"] == "done":
                break
            await asyncio.sleep(0.1)
    assert (state["state"], state["report"]["loaded"]) == ("done", 1)


async def test_an_idle_runner_keeps_its_connection_instead_of_opening_one_per_look(
    registry_settings: RegistrySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    connect = psycopg.connect

    def counted(*args: Any, **kwargs: Any) -> psycopg.Connection[Any]:
        opened.append(args)
        return connect(*args, **kwargs)

    monkeypatch.setattr(psycopg, "connect", counted)
    async with a_runner(registry_settings, poll=0.05):
        await asyncio.sleep(1.5)  # some thirty looks
    assert len(opened) == 1
