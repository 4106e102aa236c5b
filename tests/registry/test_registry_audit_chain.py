"""The chain without a lock: appends never wait, the sealer never skips a row
still in flight; signed checkpoints outside the database catch a superuser's
cut tail and re-hashed history; the duplicate-PIN answer is audited."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from psycopg.rows import dict_row
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.app import create_app
from services.registry.audit import service
from services.registry.audit.chain import GENESIS, link_hash
from services.registry.audit.sealer import seal as seal_now
from services.registry.audit.verify import psycopg_url, verify_chain
from services.registry.settings import RegistrySettings
from shared.auth.principal import Principal, Role
from tests.registry.audit_helpers import as_superuser, migreg, seal, sql
from tests.registry.conftest import REGISTRAR, MakePerson, person_body
from tests.support.tokens import bearer

AUDITOR = bearer("auditor", subject="dpo")


async def test_the_duplicate_pin_answer_is_audited_as_a_read(
    registry: httpx.AsyncClient, make_person: MakePerson
) -> None:
    person = await make_person()
    other = bearer("registrar", subject="registrar-naryn")
    again = await registry.post("/v1/persons", json=person_body(pin=person["pin"]), headers=other)
    assert again.status_code == 409 and again.json()["id"] == person["id"]
    events = await registry.get(
        "/v1/audit-events", params={"resource_id": person["id"]}, headers=AUDITOR
    )
    assert [(e["actor"], e["action"]) for e in reversed(events.json()["items"])] == [
        ("registrar-osh", "create"),
        ("registrar-naryn", "read"),
    ]


async def test_a_request_never_waits_for_another_and_the_sealer_waits_for_it(
    registry_app: FastAPI,
    registry: httpx.AsyncClient,
    make_person: MakePerson,
    database_urls: dict[str, str],
) -> None:
    url = database_urls["registry"]
    pid = (await make_person())["id"]
    slow = Principal(subject="slow-request", roles=frozenset({Role.registrar}))
    async with AsyncSession(registry_app.state.engine) as open_tx, open_tx.begin():
        # A request that appended its event and has not committed yet.
        await service.record(open_tx, slow, "read", [service.person(uuid.UUID(pid))])
        read = await asyncio.wait_for(registry.get(f"/v1/persons/{pid}", headers=REGISTRAR), 10)
        assert read.status_code == 200
        # The later read committed first; the sealer must not chain past the open one.
        assert await seal_now(registry_app.state.engine, wait=0.3) == 0
    assert await seal_now(registry_app.state.engine, wait=5) == 3
    result = verify_chain(url)
    assert result.ok and result.checked == 3 and result.unsealed == 0
    with psycopg.connect(psycopg_url(url)) as conn:
        actors = [r[0] for r in conn.execute("SELECT actor FROM audit_events ORDER BY seq")]
    assert actors == ["registrar-osh", "slow-request", "registrar-osh"]


async def test_the_trail_allows_sealing_once_and_nothing_else(
    registry: httpx.AsyncClient, make_person: MakePerson, database_urls: dict[str, str]
) -> None:
    url = database_urls["registry"]
    await make_person()
    for statement in (
        "UPDATE audit_events SET hash = 'x', prev_hash = 'y', actor = 'someone'",
        "UPDATE audit_events SET seq = 99",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            sql(url, statement)
    await seal(url)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        sql(url, f"UPDATE audit_events SET hash = '{'0' * 64}', prev_hash = '{GENESIS}'")


@pytest.fixture
def checkpoint_env(tmp_path: Path, database_urls: dict[str, str]) -> dict[str, str]:
    return {
        "REGISTRY_DATABASE_URL": database_urls["registry"],
        "REGISTRY_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "REGISTRY_AUDIT_CHECKPOINT_KEY_FILE": str(tmp_path / "keys" / "checkpoint.pem"),
    }


async def _trail_with_checkpoint(
    registry: httpx.AsyncClient, make_person: MakePerson, env: dict[str, str]
) -> None:
    key = env["REGISTRY_AUDIT_CHECKPOINT_KEY_FILE"]
    assert (await migreg("audit", "keygen", "--out", key)).exit_code == 0
    pid = (await make_person())["id"]
    for _ in range(4):
        await registry.get(f"/v1/persons/{pid}", headers=REGISTRAR)
    sealed = await migreg("audit", "seal", env=env)
    assert "sealed 5 events" in sealed.output, sealed.output
    intact = await migreg("audit", "verify", env=env)
    assert intact.exit_code == 0, intact.output
    assert "1 signed checkpoints agree" in intact.output


async def _verify_without_checkpoints(url: str) -> str:
    result = await migreg("audit", "verify", "--database-url", url, env={})
    return result.output


async def test_checkpoints_catch_a_cut_tail(
    registry: httpx.AsyncClient, make_person: MakePerson, checkpoint_env: dict[str, str]
) -> None:
    url = checkpoint_env["REGISTRY_DATABASE_URL"]
    await _trail_with_checkpoint(registry, make_person, checkpoint_env)
    as_superuser(url, "DELETE FROM audit_events WHERE seq > 3")
    # The chain alone cannot tell: what is left links up.
    assert "intact: 3 events" in await _verify_without_checkpoints(url)
    caught = await migreg("audit", "verify", env=checkpoint_env)
    assert caught.exit_code == 1
    assert "TRUNCATED: the chain ends at seq 3" in caught.output
    assert "vouches for seq 5" in caught.output


def _rewrite_checkpoint(directory: Path, new_hash: str) -> None:
    (filed,) = directory.glob("*.json")
    body = json.loads(filed.read_text())
    filed.write_text(json.dumps({**body, "hash": new_hash}))


def _checkpoint_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


async def test_checkpoints_catch_a_rewritten_and_rehashed_history(
    registry: httpx.AsyncClient, make_person: MakePerson, checkpoint_env: dict[str, str]
) -> None:
    url = checkpoint_env["REGISTRY_DATABASE_URL"]
    await _trail_with_checkpoint(registry, make_person, checkpoint_env)
    # Rewrite who read seq 2, then recompute every hash after it.
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE audit_events SET actor = 'nobody' WHERE seq = 2")
        rows = conn.cursor(row_factory=dict_row).execute("SELECT * FROM audit_events ORDER BY seq")
        prev = GENESIS
        for row in rows.fetchall():
            link = link_hash(prev, row)
            conn.execute(
                "UPDATE audit_events SET prev_hash = %s, hash = %s WHERE seq = %s",
                (prev, link, row["seq"]),
            )
            prev = link
    assert "intact: 5 events" in await _verify_without_checkpoints(url)
    caught = await migreg("audit", "verify", env=checkpoint_env)
    assert caught.exit_code == 1
    assert "REWRITTEN: the hash at seq 5 differs from the checkpoint" in caught.output

    # A checkpoint re-signed without the key is no way out either.
    _rewrite_checkpoint(Path(checkpoint_env["REGISTRY_AUDIT_CHECKPOINT_DIR"]), prev)
    forged = await migreg("audit", "verify", env=checkpoint_env)
    assert forged.exit_code == 1 and "FORGED CHECKPOINT" in forged.output


async def test_the_registry_files_checkpoints_at_the_configured_interval(
    tmp_path: Path, registry_settings: RegistrySettings, make_person: MakePerson
) -> None:
    key = tmp_path / "checkpoint.pem"
    assert (await migreg("audit", "keygen", "--out", str(key))).exit_code == 0
    settings = registry_settings.model_copy(
        update={
            "audit_seal_interval_seconds": 0.1,
            "audit_checkpoint_dir": tmp_path / "checkpoints",
            "audit_checkpoint_key_file": key,
            "audit_checkpoint_interval_seconds": 0.2,
        }
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        created = await client.post("/v1/persons", json=person_body(), headers=REGISTRAR)
        for expected in (1, 2):
            if expected == 2:
                await client.get(f"/v1/persons/{created.json()['id']}", headers=REGISTRAR)
            for _ in range(100):
                files = _checkpoint_files(tmp_path / "checkpoints")
                if len(files) == expected:
                    break
                await asyncio.sleep(0.1)
            assert len(files) == expected
        # What the MigregAuditCheckpointOverdue alert watches (deploy/k8s/base/monitoring.yaml).
        scraped = (await client.get("/metrics")).text
        current = [
            float(line.split()[-1])
            for line in scraped.splitlines()
            if line.startswith("registry_audit_checkpoint_current_timestamp_seconds ")
        ]
        assert current and time.time() - current[0] < 60
    newest = json.loads(await asyncio.to_thread(files[-1].read_text))
    assert newest["seq"] == 2 and len(newest["signature"]) > 40
    result = verify_chain(settings.database_url)
    assert result.ok and result.head_seq == 2 and result.head_hash == newest["hash"]
