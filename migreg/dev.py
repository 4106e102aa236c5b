"""``migreg dev``: the whole system on one machine, kept running, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import signal
import sys
import time
from collections.abc import Mapping

import httpx
from rich.console import Console
from sqlalchemy.engine import make_url

from migreg.local import dev_secret, home, local_auth_settings
from migreg.preflight import Refused, require_free_ports, require_reachable, sole_run
from migreg.supervisor import ProcessSpec, Supervisor
from shared.auth.tokens import issue_token
from shared.embedded_pg import DatabaseServer, service_database_urls, start_embedded
from shared.migrate import SERVICES, upgrade

# The processes of a local run: name, ``migreg`` arguments, and its port as an offset
# from --base-port (None: it serves no HTTP). Adding a process is adding a line.
PROCESSES: tuple[tuple[str, tuple[str, ...], int | None], ...] = (
    ("console", ("serve", "console"), -1),  # the staff console, opened first: 8000
    ("registry", ("serve", "registry"), 0),
    ("consular", ("serve", "consular"), 1),
    ("notifications", ("serve", "notifications"), 2),
    ("worker", ("worker", "notifications"), None),
)


def dev_ports(base_port: int) -> dict[str, int]:
    """Each process that serves HTTP and its port (registry on the base port)."""
    return {name: base_port + offset for name, _, offset in PROCESSES if offset is not None}


def _specs(ports: Mapping[str, int]) -> list[ProcessSpec]:
    return [
        ProcessSpec(name, (*args, "--port", str(ports[name])) if name in ports else args)
        for name, args, _ in PROCESSES
    ]


console = Console(stderr=True)

SAMPLE_TOKENS: tuple[tuple[str, dict[str, str]], ...] = (
    ("registrar", {}),
    ("consular_officer", {"consulate": "RU-MOW"}),
    ("consular_supervisor", {}),
    ("analyst", {}),
    ("auditor", {}),
    ("admin", {}),
)


def _require_configured_databases() -> None:
    names = (*SERVICES, "console")
    for variable in ("DATABASE_URL", *(f"{s.upper()}_DATABASE_URL" for s in names)):
        if url := os.environ.get(variable):
            require_reachable(variable, url)


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
    from services.registry.audit.checkpoints import local_checkpoint_env

    env = dict(os.environ, MIGREG_AUTH_DEV_SECRET=dev_secret())
    # Signed audit checkpoints outside the database, with a key made once in .var/.
    env.update(local_checkpoint_env(home()))
    env.update({f"CONSOLE_{s.upper()}_URL": f"http://127.0.0.1:{ports[s]}" for s in SERVICES})
    for service, url in urls.items():
        env[f"{service.upper()}_DATABASE_URL"] = url
        for peer in SERVICES:
            env[f"{service.upper()}_{peer.upper()}_URL"] = f"http://127.0.0.1:{ports[peer]}"
    return env


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
    console.print(
        "\n[bold green]Migrant Registry is running.[/] A process that stops is started "
        "again; Ctrl-C stops everything.\n"
    )
    for service, port in ports.items():
        url = f"http://127.0.0.1:{port}"
        docs = "open this and sign in" if service == "console" else f"docs: {url}/docs"
        console.print(f"  {service:<14} {url}   {docs}")
    console.print("\nDatabases (for `migreg audit verify` and the like):")
    for service, url in urls.items():
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=bool(parsed.password))
        print(f"export {service.upper()}_DATABASE_URL='{shown}'", flush=True)
    _print_checkpoint_settings()
    console.print("\nTokens (8 hours; `migreg token --role ROLE` makes more):")
    for role, extra in SAMPLE_TOKENS:
        token = issue_token(
            settings, subject=f"demo-{role}", roles=[role], consulate=extra.get("consulate")
        )
        label = role + (f" ({extra['consulate']})" if extra else "")
        console.print(f"\n[bold]{label}[/]")
        print(f"export TOKEN_{role.upper()}={token}", flush=True)


def _print_checkpoint_settings() -> None:
    # The registry signs audit checkpoints with these; `migreg audit verify` in another
    # shell needs them too, or it says no checkpoints are configured.
    from services.registry.audit.checkpoints import local_checkpoint_env

    for name, value in local_checkpoint_env(home()).items():
        print(f"export {name}='{value}'", flush=True)


def _interrupt_on_sigterm() -> None:
    # A supervisor's SIGTERM stops the system as cleanly as Ctrl-C does.
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    # Started in the background by a shell, SIGINT may arrive ignored: take it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def run_dev(*, fresh: bool, demo: bool, base_port: int = 8001) -> int:
    _interrupt_on_sigterm()
    ports = dev_ports(base_port)
    try:
        with contextlib.ExitStack() as held:
            # Checked before anything starts: a refusal leaves the first run untouched.
            require_free_ports(ports.values())
            held.enter_context(sole_run(home()))
            _require_configured_databases()
            return _run(held, fresh=fresh, demo=demo, ports=ports)
    except Refused as exc:
        print(exc, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        console.print("\nStopped.")
        return 0


def _run(held: contextlib.ExitStack, *, fresh: bool, demo: bool, ports: dict[str, int]) -> int:
    server = _database_server()
    held.callback(server.stop)
    if fresh:
        for service in (*SERVICES, "console"):
            server.drop_database(f"migreg_{service}")
    urls = service_database_urls(server)
    # The console's session records (it creates its one table itself).
    console_db = os.environ.get("CONSOLE_DATABASE_URL") or server.ensure_database("migreg_console")
    for service, url in urls.items():
        upgrade(service, url)
        if demo:
            _load_demo(service, url)
    env = dict(_child_env(urls, ports), CONSOLE_DATABASE_URL=console_db)
    supervisor = Supervisor(_specs(ports), env, console)
    held.callback(supervisor.stop_all)
    supervisor.start_all()
    deadline = time.monotonic() + 120
    if not all(_wait_ready(port, deadline) for port in ports.values()):
        console.print("[red]A service did not become ready; see its log above.[/]")
        return 1
    _print_ready(ports, urls)
    while True:
        supervisor.tend()
        time.sleep(0.5)
