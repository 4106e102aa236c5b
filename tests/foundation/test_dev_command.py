"""`migreg dev` on a machine with nothing set up: embedded PostgreSQL, all three
services ready, a token per role printed, Ctrl-C leaves no process behind, and
the data is still there on the next run. It keeps what it runs alive, and refuses
(in one line, touching nothing) to start twice or against a database it cannot reach."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.databases import EMBEDDED_ONLY_ENV_DROPS

pytestmark = pytest.mark.e2e  # starts the services as separate processes

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
            for port in range(base, base + 3):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no three free ports in a row")


def _dev_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in EMBEDDED_ONLY_ENV_DROPS}
    env["MIGREG_HOME"] = str(home)
    return env


def _start_dev(home: Path, base: int) -> subprocess.Popen[str]:
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "dev.log").open("a")
    env = _dev_env(home)
    # A new session, like a terminal's foreground job: Ctrl-C reaches the whole group.
    return subprocess.Popen(
        [sys.executable, "-m", "migreg", "dev", "--base-port", str(base)],
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
        for port in (base, base + 1, base + 2):
            assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
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


def _refusal(home: Path, base: int, **extra_env: str) -> tuple[int, list[str], float]:
    """Run a `migreg dev` expected to refuse: its exit code, stderr lines and duration."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "migreg", "dev", "--base-port", str(base)],
        env={**_dev_env(home), **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stderr.strip().splitlines(), time.monotonic() - started


@pytest.fixture(scope="module")
def running_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, dict]]:
    home, base = tmp_path_factory.mktemp("dev") / "home", _free_base_port()
    process = _start_dev(home, base)
    try:
        yield home, base, _tokens(process, home)
    finally:
        assert _ctrl_c(process) == 0
    assert _leftovers(home) == []


def _children(home: Path, *words: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline", "environ"]):
        with contextlib.suppress(psutil.Error):
            cmdline = " ".join(proc.info["cmdline"] or [])
            environ = proc.info["environ"] or {}
            if environ.get("MIGREG_HOME") == str(home) and all(w in cmdline for w in words):
                found.append(proc)
    return found


def _replaced(home: Path, dead: psutil.Process, *words: str) -> bool:
    return [p.pid for p in _children(home, *words)] not in ([], [dead.pid])


def _eventually(check: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if check():
                return
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout} s")


def test_a_second_dev_refuses_at_once_and_the_first_keeps_running(
    running_dev: tuple[Path, int, dict], tmp_path: Path
) -> None:
    home, base, tokens = running_dev
    # Same data folder, other ports: today's danger, a second embedded PostgreSQL.
    code, lines, took = _refusal(home, _free_base_port())
    assert code != 0 and len(lines) == 1 and "already running" in lines[0], lines
    assert took < 30
    # Another data folder, the same ports.
    elsewhere = tmp_path / "elsewhere"
    code, lines, _ = _refusal(elsewhere, base)
    assert code != 0 and len(lines) == 1 and f"port {base} is already in use" in lines[0], lines
    assert not (elsewhere / "pgdata").exists()
    created = httpx.post(
        f"http://127.0.0.1:{base}/v1/persons",
        json={**PERSON, "pin": "11505198800025"},
        headers={"Authorization": f"Bearer {tokens['registrar']}"},
    )
    assert created.status_code == 201, created.text


def test_a_killed_service_and_a_killed_worker_are_started_again(
    running_dev: tuple[Path, int, dict],
) -> None:
    home, base, tokens = running_dev
    [consular] = _children(home, "serve", "consular")
    [worker] = _children(home, "worker", "notifications")
    consular.kill()
    worker.kill()
    whoami = f"http://127.0.0.1:{base + 1}/v1/whoami"
    officer = {"Authorization": f"Bearer {tokens['consular_officer']}"}
    _eventually(
        lambda: [p.pid for p in _children(home, "serve", "consular")] not in ([], [consular.pid])
    )
    _eventually(lambda: httpx.get(whoami, headers=officer, timeout=2).status_code == 200)
    _eventually(
        lambda: (
            [p.pid for p in _children(home, "worker", "notifications")] not in ([], [worker.pid])
        )
    )
    # The rest never stopped.
    assert httpx.get(f"http://127.0.0.1:{base}/readyz").status_code == 200
    log = (home / "dev.log").read_text()
    assert re.search(r"consular.* exited with code -9 .*starting it again in 1 s", log), log[-2000:]
    assert re.search(r"worker.* exited with code -9", log), log[-2000:]


def test_an_unreachable_database_url_is_one_line_and_a_failure(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    url = f"postgresql://postgres:secret@127.0.0.1:{port}/postgres"
    code, lines, took = _refusal(tmp_path / "home", _free_base_port(), DATABASE_URL=url)
    assert code != 0
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "DATABASE_URL" in lines[0]
    assert "secret" not in lines[0]
    assert took < 60
    assert not (tmp_path / "home" / "pgdata").exists()
