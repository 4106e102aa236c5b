"""GET /v1/audit/verification: the chain's state for the auditor's page, checked from
the newest signed checkpoint at a bounded cost, naming what does not hold."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.registry.app import create_app
from services.registry.audit import verification
from services.registry.settings import RegistrySettings
from tests.registry.audit_helpers import as_superuser, migreg, seal
from tests.registry.conftest import REGISTRAR, person_body
from tests.support.tokens import bearer

AUDITOR = bearer("auditor", subject="dpo")


class Trail:
    def __init__(self, client: httpx.AsyncClient, env: dict[str, str]) -> None:
        self.client = client
        self.env = env
        self.url = env["REGISTRY_DATABASE_URL"]
        self.directory = Path(env["REGISTRY_AUDIT_CHECKPOINT_DIR"])

    async def events(self, reads: int) -> None:
        """One registration and ``reads`` reads of it: 1 + reads audit events."""
        created = await self.client.post("/v1/persons", json=person_body(), headers=REGISTRAR)
        assert created.status_code == 201, created.text
        for _ in range(reads):
            await self.client.get(f"/v1/persons/{created.json()['id']}", headers=REGISTRAR)

    async def seal(self) -> None:
        """Chain the new events, filing a checkpoint when none is filed yet."""
        result = await migreg("audit", "seal", env=self.env)
        assert result.exit_code == 0, result.output

    async def state(self) -> dict[str, Any]:
        response = await self.client.get("/v1/audit/verification", headers=AUDITOR)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def trail(
    tmp_path: Path, registry_settings: RegistrySettings, database_urls: dict[str, str]
) -> AsyncIterator[Trail]:
    key = tmp_path / "keys" / "checkpoint.pem"
    assert (await migreg("audit", "keygen", "--out", str(key))).exit_code == 0
    env = {
        "REGISTRY_DATABASE_URL": database_urls["registry"],
        "REGISTRY_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "REGISTRY_AUDIT_CHECKPOINT_KEY_FILE": str(key),
    }
    settings = registry_settings.model_copy(
        update={"audit_checkpoint_dir": tmp_path / "checkpoints", "audit_checkpoint_key_file": key}
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        yield Trail(client, env)


async def test_without_checkpoints_the_newest_events_are_verified(
    registry: httpx.AsyncClient, database_urls: dict[str, str]
) -> None:
    created = await registry.post("/v1/persons", json=person_body(), headers=REGISTRAR)
    await registry.get(f"/v1/persons/{created.json()['id']}", headers=REGISTRAR)
    await seal(database_urls["registry"])
    await registry.get(f"/v1/persons/{created.json()['id']}", headers=REGISTRAR)
    state = (await registry.get("/v1/audit/verification", headers=AUDITOR)).json()
    assert state["status"] == "intact" and state["scope"] == "newest_events"
    assert state["events_checked"] == 2 and state["verified_through_seq"] == 2
    assert state["unsealed"] == 1 and state["checkpoint"] is None
    assert state["verified_through_time"] is not None


async def test_only_the_events_after_the_newest_checkpoint_are_rehashed(trail: Trail) -> None:
    await trail.events(reads=4)
    await trail.seal()  # checkpoint at seq 5
    await trail.events(reads=1)
    await trail.seal()  # the interval has not passed: no new checkpoint
    state = await trail.state()
    assert state["status"] == "intact" and state["scope"] == "since_checkpoint"
    assert state["checkpoint"]["seq"] == 5 and 0 <= state["checkpoint"]["age_seconds"] < 60
    assert state["verified_from_seq"] == 5 and state["verified_through_seq"] == 7
    assert state["events_checked"] == 2 and state["reason"] is None


async def test_a_cut_tail_is_reported_truncated(trail: Trail) -> None:
    await trail.events(reads=4)
    await trail.seal()
    as_superuser(trail.url, "DELETE FROM audit_events WHERE seq > 3")
    state = await trail.state()
    assert state["status"] == "broken"
    assert state["reason"].startswith("TRUNCATED: the chain ends at seq 3")


async def test_a_rewritten_checkpointed_event_and_a_forged_checkpoint_are_named(
    trail: Trail,
) -> None:
    await trail.events(reads=4)
    await trail.seal()
    as_superuser(trail.url, f"UPDATE audit_events SET hash = '{'a' * 64}' WHERE seq = 5")
    state = await trail.state()
    assert state["status"] == "broken" and state["reason"].startswith("REWRITTEN")
    (filed,) = trail.directory.glob("*.json")
    filed.write_text(json.dumps({**json.loads(filed.read_text()), "hash": "a" * 64}))
    forged = await trail.state()
    assert forged["status"] == "broken" and forged["reason"].startswith("FORGED CHECKPOINT")


async def test_an_event_altered_after_the_checkpoint_is_found(trail: Trail) -> None:
    await trail.events(reads=4)
    await trail.seal()
    await trail.events(reads=2)
    await trail.seal()
    as_superuser(trail.url, "UPDATE audit_events SET actor = 'nobody' WHERE seq = 7")
    state = await trail.state()
    assert state["status"] == "broken" and state["broken_seq"] == 7
    assert "altered" in state["reason"] and state["verified_through_seq"] == 6


async def test_the_work_per_request_is_bounded(
    trail: Trail, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verification, "MAX_ROWS", 3)
    await trail.events(reads=0)
    await trail.seal()  # checkpoint at seq 1
    await trail.events(reads=5)
    await trail.seal()
    state = await trail.state()
    assert state["status"] == "incomplete"
    assert state["events_checked"] == 3 and state["verified_through_seq"] == 4


async def test_only_auditors_see_it(registry: httpx.AsyncClient) -> None:
    refused = await registry.get("/v1/audit/verification", headers=REGISTRAR)
    assert refused.status_code == 403
