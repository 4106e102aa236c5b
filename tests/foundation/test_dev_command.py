"""`migreg dev` on a machine with nothing set up: embedded PostgreSQL, all three
services ready, a token per role printed, Ctrl-C leaves no process behind, and
the data is still there on the next run."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from tests.support.databases import EMBEDDED_ONLY_ENV_DROPS

PERSON = {
    "pin": "11505198800017",
    "last_name": "Осмонова",
    "first_name": "Айгүл",
    "sex": "F",
    "birth_date": "1988-05-15",
    "region": "KG-C",
}


def _free_base_port() -> int:
    for _ in range(50):
        # Below the kernel's ephemeral range (32768 and up), so no outgoing
        # connection can take the port between this check and uvicorn's bind.
        base = random.randint(20000, 32000)
        try:
            for port in range(base - 1, base + 3):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no four free ports in a row")


def _start_dev(home: Path, base: int) -> subprocess.Popen[str]:
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "dev.log").open("a")
    env = {k: v for k, v in os.environ.items() if k not in EMBEDDED_ONLY_ENV_DROPS}
    env["MIGREG_HOME"] = str(home)
    # A new session, like a terminal's foreground job: Ctrl-C reaches the whole group.
    return subprocess.Popen(
        [sys.executable, "-m", "shared.cli.main", "dev", "--base-port", str(base)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,
    )


def _tokens(process: subprocess.Popen[str], home: Path, timeout: float = 180) -> dict[str, str]:
    assert process.stdout is not None
    tokens: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(tokens) < 6 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            tail = (home / "dev.log").read_text()[-3000:]
            raise AssertionError(f"migreg dev exited early with {process.wait()}:\n{tail}")
        if match := re.match(r"export TOKEN_(\w+)=(\S+)", line):
            tokens[match[1].lower()] = match[2]
    return tokens


def _ctrl_c(process: subprocess.Popen[str]) -> int:
    if process.poll() is not None:
        return process.returncode
    os.killpg(process.pid, signal.SIGINT)
    return process.wait(timeout=60)


def _leftovers(home: Path) -> list[str]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if str(home) in cmdline:
            found.append(cmdline)
    return found


def test_dev_runs_everything_and_stops_cleanly(tmp_path: Path) -> None:
    home, base = tmp_path / "home", _free_base_port()
    registry = f"http://127.0.0.1:{base}"
    process = _start_dev(home, base)
    try:
        tokens = _tokens(process, home)
        assert set(tokens) == {
            "registrar",
            "consular_officer",
            "consular_supervisor",
            "analyst",
            "auditor",
            "admin",
        }
        for port in (base - 1, base, base + 1, base + 2):
            assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
        # The console answers first-time visitors with its sign-in page.
        sign_in = httpx.get(f"http://127.0.0.1:{base - 1}/", follow_redirects=True)
        assert 'action="/sign-in/dev"' in sign_in.text
        officer = httpx.get(
            f"http://127.0.0.1:{base + 1}/v1/whoami",
            headers={"Authorization": f"Bearer {tokens['consular_officer']}"},
        )
        assert officer.json()["consulate"] == "RU-MOW"
        created = httpx.post(
            f"{registry}/v1/persons",
            json=PERSON,
            headers={"Authorization": f"Bearer {tokens['registrar']}"},
        )
        assert created.status_code == 201, created.text
    finally:
        assert _ctrl_c(process) == 0
    assert _leftovers(home) == []

    again = _start_dev(home, base)
    try:
        tokens = _tokens(again, home)
        read = httpx.get(
            f"{registry}{created.headers['location']}",
            headers={"Authorization": f"Bearer {tokens['registrar']}"},
        )
        assert read.status_code == 200
        assert read.json()["first_name"] == "Айгүл"
    finally:
        assert _ctrl_c(again) == 0
    assert _leftovers(home) == []
