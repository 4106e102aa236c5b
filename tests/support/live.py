"""The three services as real uvicorn processes on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.migrate import SERVICES
from tests.support.tokens import TEST_SECRET


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveSystem:
    urls: dict[str, str]
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # When set, each process's log (stderr) is appended to <log_dir>/<name>.log.
    log_dir: Path | None = None

    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = None if self.log_dir is None else (self.log_dir / f"{name}.log").open("ab")
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "migreg", *args], env=self.env, stderr=log
            )
        finally:
            if log is not None:
                log.close()  # the child has its own copy
        self.processes[name] = process
        return process

    def serve(self, service: str) -> None:
        """(Re)start a service on its port and wait until it is ready."""
        port = self.urls[service].rsplit(":", 1)[1]
        self.start(service, ["serve", service, "--port", port])
        wait_ready(self.urls[service], self.processes[service])

    def log(self, name: str) -> str:
        assert self.log_dir is not None
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    # Generous: three services importing at once on two busy cores can take a while.
    # (A process that dies is reported at once.)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


@contextmanager
def live_system(
    database_urls: Mapping[str, str],
    extra_env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
) -> Iterator[LiveSystem]:
    ports = {service: free_port() for service in SERVICES}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    env = dict(os.environ, MIGREG_AUTH_DEV_SECRET=TEST_SECRET, **(extra_env or {}))
    for service in SERVICES:
        env[f"CONSOLE_{service.upper()}_URL"] = urls[service]
        env[f"{service.upper()}_DATABASE_URL"] = database_urls[service]
        for peer in SERVICES:
            env[f"{service.upper()}_{peer.upper()}_URL"] = urls[peer]
    system = LiveSystem(urls=urls, env=env, log_dir=log_dir)
    try:
        for service in SERVICES:
            system.start(service, ["serve", service, "--port", str(ports[service])])
        for service in SERVICES:
            wait_ready(urls[service], system.processes[service])
        yield system
    finally:
        for name in list(system.processes):
            system.stop(name)
