"""``migreg dev``: the whole system on one machine, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping

import httpx
from rich.console import Console
from sqlalchemy.engine import make_url

from shared.auth.tokens import issue_token
from shared.cli.local import dev_secret, home, local_auth_settings
from shared.embedded_pg import DatabaseServer, service_database_urls, start_embedded
from shared.migrate import SERVICES, upgrade


def dev_ports(base_port: int) -> dict[str, int]:
    """registry on the base port, consular on the next, notifications on the one after."""
    return {service: base_port + offset for offset, service in enumerate(SERVICES)}


def console_port(base_port: int) -> int:
    """The staff console (what a new user opens first) just below the registry: 8000."""
    return base_port - 1


console = Console(stderr=True)

SAMPLE_TOKENS: tuple[tuple[str, dict[str, str]], ...] = (
    ("registrar", {}),
    ("consular_officer", {"consulate": "RU-MOW"}),
    ("consular_supervisor", {}),
    ("analyst", {}),
    ("auditor", {}),
    ("admin", {}),
)


def _database_server() -> DatabaseServer:
    url = os.environ.get("DATABASE_URL")
    if url:
        return DatabaseServer(url=url)
    console.print(f"[dim]No DATABASE_URL: starting the embedded PostgreSQL in {home()}/pgdata[/]")
    return start_embedded(home() / "pgdata")


def _load_demo(service: str, url: str) -> None:
    module_name = f"services.{service}.demo.loader"
    try:
        if importlib.util.find_spec(module_name) is None:
            return
    except ModuleNotFoundError:  # the service has no demo package yet
        return
    summary = importlib.import_module(module_name).load_demo(url)
    console.print(f"[green]{service}[/]: {summary}")


def _child_env(urls: Mapping[str, str], ports: Mapping[str, int]) -> dict[str, str]:
    env = dict(os.environ, MIGREG_AUTH_DEV_SECRET=dev_secret())
    for peer in SERVICES:
        env[f"CONSOLE_{peer.upper()}_URL"] = f"http://127.0.0.1:{ports[peer]}"
    for service, url in urls.items():
        env[f"{service.upper()}_DATABASE_URL"] = url
        for peer in SERVICES:
            env[f"{service.upper()}_{peer.upper()}_URL"] = f"http://127.0.0.1:{ports[peer]}"
    return env


def _start(args: list[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "shared.cli.main", *args], env=dict(env))


def _wait_ready(port: int, deadline: float) -> bool:
    url = f"http://127.0.0.1:{port}/readyz"
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def _print_ready(ports: Mapping[str, int], urls: Mapping[str, str]) -> None:
    settings = local_auth_settings()
    console.print("\n[bold green]Migrant Registry is running.[/] Ctrl-C stops everything.\n")
    web = console_port(ports["registry"])
    console.print(f"  [bold]console[/]        http://127.0.0.1:{web}   (open this and sign in)")
    for service, port in ports.items():
        console.print(
            f"  {service:<14} http://127.0.0.1:{port}   docs: http://127.0.0.1:{port}/docs"
        )
    console.print("\nDatabases (for `migreg audit verify` and the like):")
    for service, url in urls.items():
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=bool(parsed.password))
        print(f"export {service.upper()}_DATABASE_URL='{shown}'", flush=True)
    console.print("\nTokens (8 hours; `migreg token --role ROLE` makes more):")
    for role, extra in SAMPLE_TOKENS:
        token = issue_token(
            settings, subject=f"demo-{role}", roles=[role], consulate=extra.get("consulate")
        )
        label = role + (f" ({extra['consulate']})" if extra else "")
        console.print(f"\n[bold]{label}[/]")
        print(f"export TOKEN_{role.upper()}={token}", flush=True)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _interrupt_on_sigterm() -> None:
    # A supervisor's SIGTERM stops the system as cleanly as Ctrl-C does.
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    # Started in the background by a shell, SIGINT may arrive ignored: take it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def run_dev(*, fresh: bool, demo: bool, base_port: int = 8001) -> int:
    _interrupt_on_sigterm()
    server = _database_server()
    children: list[subprocess.Popen[bytes]] = []
    try:
        if fresh:
            for service in SERVICES:
                server.drop_database(f"migreg_{service}")
        urls = service_database_urls(server)
        for service, url in urls.items():
            upgrade(service, url)
            if demo:
                _load_demo(service, url)
        ports = dev_ports(base_port)
        env = _child_env(urls, ports)
        children = [_start(["serve", "console", "--port", str(console_port(base_port))], env)]
        children += [_start(["serve", s, "--port", str(ports[s])], env) for s in SERVICES]
        children.append(_start(["worker", "notifications"], env))
        deadline = time.monotonic() + 120
        web = console_port(base_port)
        if not all(_wait_ready(p, deadline) for p in (web, *ports.values())):
            console.print("[red]A service did not become ready; see its log above.[/]")
            return 1
        _print_ready(ports, urls)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        console.print("[red]A service stopped unexpectedly; stopping the rest.[/]")
        return 1
    except KeyboardInterrupt:
        console.print("\nStopping…")
        return 0
    finally:
        _stop(children)
        server.stop()
