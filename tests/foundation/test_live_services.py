"""The three services as separate processes: up, authenticated, tracing requests."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.support.live import LiveSystem
from tests.support.tokens import TEST_SECRET, bearer

pytestmark = pytest.mark.e2e  # starts the services as separate processes


def test_each_service_runs_as_its_own_process(live: LiveSystem) -> None:
    for service, url in live.urls.items():
        assert httpx.get(f"{url}/readyz").json() == {"status": "ready"}, service
        assert httpx.get(f"{url}/v1/whoami").status_code == 401
        me = httpx.get(f"{url}/v1/whoami", headers=bearer("auditor", subject="dpo-1"))
        assert me.json()["subject"] == "dpo-1"
        metrics = httpx.get(f"{url}/metrics").text
        assert "http_requests_total" in metrics


def test_the_cli_token_is_accepted_by_the_running_system(live: LiveSystem) -> None:
    env = dict(live.env, MIGREG_AUTH_DEV_SECRET=TEST_SECRET)
    token = subprocess.run(
        [
            sys.executable,
            "-m",
            "migreg",
            "token",
            "--role",
            "consular_officer",
            "--consulate",
            "RU-MOW",
            "--subject",
            "officer-moscow",
            "--ttl",
            "10m",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    me = httpx.get(
        f"{live.urls['consular']}/v1/whoami", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert me == {
        "subject": "officer-moscow",
        "roles": ["consular_officer"],
        "scopes": [],
        "consulate": "RU-MOW",
    }


def test_an_unknown_role_is_refused_by_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "migreg", "token", "--role", "king"],
        capture_output=True,
        text=True,
        env={"MIGREG_AUTH_DEV_SECRET": "x", "PATH": "/usr/bin"},
    )
    assert result.returncode != 0
    assert "unknown role" in result.stderr
