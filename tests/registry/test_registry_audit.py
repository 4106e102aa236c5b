"""The audit trail: every read and write recorded, append-only, hash-chained, verifiable."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from migreg.main import app as cli
from services.registry.audit.verify import verify_chain
from tests.registry.audit_helpers import hash_at, migreg, seal, sql
from tests.registry.conftest import REGISTRAR, MakePerson, depart
from tests.support.tokens import bearer

AUDITOR = bearer("auditor", subject="dpo")


async def _events(client: httpx.AsyncClient, **params: str) -> list[dict[str, str]]:
    response = await client.get("/v1/audit-events", params=params, headers=AUDITOR)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_reads_and_writes_are_recorded_with_actor_role_and_request_id(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    pid = person["id"]
    officer = bearer("consular_officer", consulate="RU-MOW", subject="officer-moscow")
    await registry.get(f"/v1/persons/{pid}", headers={**officer, "X-Request-ID": "req-123"})
    await registry.get("/v1/persons", params={"q": "Abdykadyrov"}, headers=officer)
    await depart(registry, pid)
    await registry.get(f"/v1/persons/{pid}/movements", headers=officer)

    about_person = await _events(registry, resource_type="person", resource_id=pid)
    assert [(e["actor"], e["role"], e["action"]) for e in reversed(about_person)] == [
        ("registrar-osh", "registrar", "create"),
        ("officer-moscow", "consular_officer", "read"),
        ("officer-moscow", "consular_officer", "read"),
    ]
    assert about_person[1]["request_id"] == "req-123"
    everything = await _events(registry, person_id=pid)
    assert {e["resource_type"] for e in everything} == {"person", "movement"}
    by_officer = await _events(registry, actor="officer-moscow")
    assert len(by_officer) == 3
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert await _events(registry, **{"from": soon}) == []
    assert len(await _events(registry, to=soon)) == len(everything)


async def test_audit_pages_newest_first(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    pid = (await make_person())["id"]
    for _ in range(4):
        await registry.get(f"/v1/persons/{pid}", headers=REGISTRAR)
    first = (await registry.get("/v1/audit-events", params={"limit": 3}, headers=AUDITOR)).json()
    second = (
        await registry.get(
            "/v1/audit-events",
            params={"limit": 3, "cursor": first["next_cursor"]},
            headers=AUDITOR,
        )
    ).json()
    seqs = [e["seq"] for e in first["items"] + second["items"]]
    assert seqs == [5, 4, 3, 2, 1]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "headers",
    [bearer("admin"), bearer("registrar"), bearer("analyst"), bearer("consular_supervisor")],
)
async def test_only_auditors_read_the_trail(
    registry: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    assert (await registry.get("/v1/audit-events", headers=headers)).status_code == 403


async def test_the_trail_refuses_update_delete_and_truncate(
    registry: httpx.AsyncClient, make_person: MakePerson, database_urls: dict[str, str]
) -> None:
    await make_person()
    for statement in (
        "UPDATE audit_events SET actor = 'nobody'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            sql(database_urls["registry"], statement)


async def test_verify_passes_then_names_the_first_tampered_link(
    registry: httpx.AsyncClient, make_person: MakePerson, database_urls: dict[str, str]
) -> None:
    url = database_urls["registry"]
    pid = (await make_person())["id"]
    for _ in range(3):
        await registry.get(f"/v1/persons/{pid}", headers=REGISTRAR)
    await seal(url)
    intact = await migreg("audit", "verify", "--database-url", url)
    assert intact.exit_code == 0, intact.output
    assert "intact: 4 events" in intact.output
    assert f"head: seq 4 hash {hash_at(url, 4)}" in intact.output

    # A superuser (the only one who can) bypasses the trigger and rewrites history.
    sql(
        url,
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;"
        "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3;"
        "ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;",
    )
    broken = await migreg("audit", "verify", env={"REGISTRY_DATABASE_URL": url})
    assert broken.exit_code == 1
    assert "BROKEN at seq 3" in broken.output
    assert "contents do not match its hash" in broken.output
    assert "2 events before it verified" in broken.output
    assert f"last good: seq 2 hash {hash_at(url, 2)}" in broken.output


async def test_verify_notices_a_deleted_row(
    registry: httpx.AsyncClient, make_person: MakePerson, database_urls: dict[str, str]
) -> None:
    url = database_urls["registry"]
    pid = (await make_person())["id"]
    for _ in range(3):
        await registry.get(f"/v1/persons/{pid}", headers=REGISTRAR)
    await seal(url)
    sql(
        url,
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;"
        "DELETE FROM audit_events WHERE seq = 2;"
        "ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;",
    )
    broken = await migreg("audit", "verify", "--database-url", url)
    assert broken.exit_code == 1
    assert "BROKEN at seq 3" in broken.output
    assert "prev_hash does not match" in broken.output


def test_verify_needs_a_database_url() -> None:
    result = CliRunner().invoke(cli, ["audit", "verify"], env={"REGISTRY_DATABASE_URL": ""})
    assert result.exit_code != 0
    assert "REGISTRY_DATABASE_URL" in result.output


async def test_concurrent_requests_still_form_one_linear_chain(
    registry: httpx.AsyncClient, make_person: MakePerson, database_urls: dict[str, str]
) -> None:
    pid = (await make_person())["id"]
    # Eight at once, sealed while they run: enough to race, few enough
    # connections for a database server the whole suite shares.
    url = database_urls["registry"]
    responses, _ = await asyncio.gather(
        asyncio.gather(*(registry.get(f"/v1/persons/{pid}", headers=REGISTRAR) for _ in range(8))),
        seal(url),
    )
    assert all(r.status_code == 200 for r in responses)
    await seal(url)
    result = verify_chain(url)
    assert result.ok, result
    assert result.checked == 9
