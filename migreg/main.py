"""``migreg``: run, migrate and operate the system."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from migreg.dev import dev_ports, run_dev
from migreg.local import local_auth_settings
from services.consular.settings import ConsularSettings
from services.notifications.settings import NotificationsSettings
from services.registry.audit.cli import app as audit_app
from services.registry.demo.cli import app as demo_app
from services.registry.imports.cli import app as import_app
from services.registry.settings import RegistrySettings
from services.registry.statistics.cli import app as statistics_app
from shared.auth.claims import max_lifetime
from shared.auth.principal import Role
from shared.auth.tokens import issue_token
from shared.migrate import SERVICES
from shared.settings import ServiceSettings

app = typer.Typer(
    help="Migrant Registry: run, migrate and operate the system.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)

# Command groups, one line each: `migreg <name> ...`.
for group, name in (
    (db_app, "db"),
    (audit_app, "audit"),
    (demo_app, "demo"),
    (import_app, "import"),
    (statistics_app, "statistics"),
):
    app.add_typer(group, name=name)

PORTS = dev_ports(8001)  # the same ports as `migreg dev`
SETTINGS: dict[str, type[ServiceSettings]] = {
    "registry": RegistrySettings,
    "consular": ConsularSettings,
    "notifications": NotificationsSettings,
}


def _check_service(service: str) -> str:
    if service not in SERVICES:
        raise typer.BadParameter(f"one of {', '.join(SERVICES)}")
    return service


def _parse_ttl(ttl: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        return int(ttl[:-1]) * units[ttl[-1]] if ttl[-1] in units else int(ttl)
    except (ValueError, IndexError) as exc:
        raise typer.BadParameter("a duration such as 90s, 30m, 8h or 2d") from exc


@app.command()
def token(
    role: Annotated[list[str], typer.Option("--role", help="A role; repeatable")],
    consulate: Annotated[str | None, typer.Option(help="Consulate code, e.g. RU-MOW")] = None,
    scope: Annotated[list[str] | None, typer.Option("--scope", help="A scope; repeatable")] = None,
    subject: Annotated[str | None, typer.Option(help="Who the token names")] = None,
    ttl: Annotated[
        str | None, typer.Option(help="Lifetime: 90s, 30m, 8h (default; 1h for services)")
    ] = None,
) -> None:
    """Print a bearer token the local system accepts."""
    known = {r.value for r in Role}
    for r in role:
        if r not in known:
            raise typer.BadParameter(f"unknown role {r!r}; one of {', '.join(sorted(known))}")
    settings = local_auth_settings()
    longest = max_lifetime(settings, {Role(r) for r in role})
    seconds = None if ttl is None else _parse_ttl(ttl)
    if seconds is not None and seconds > longest:
        most = f"{longest // 3600}h" if longest % 3600 == 0 else f"{longest}s"
        raise typer.BadParameter(
            f"{ttl} is longer than the services accept for these roles "
            f"(at most {most}; MIGREG_AUTH_MAX_PERSON_TOKEN_SECONDS and "
            "MIGREG_AUTH_MAX_SERVICE_TOKEN_SECONDS set the limits)",
            param_hint="--ttl",
        )
    typer.echo(
        issue_token(
            settings,
            subject=subject or f"local-{role[0]}",
            roles=role,
            scopes=scope or (),
            consulate=consulate,
            ttl_seconds=seconds,
        )
    )


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="console, registry, consular or notifications")],
    host: str = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Default: 8000, 8001, 8002, 8003")] = None,
) -> None:
    """Serve one service with uvicorn (settings from the environment)."""
    import uvicorn

    from shared.limits import RequestLimits

    limits = RequestLimits()  # the console's: it has no limit settings of its own
    if service != "console":  # the console has no database
        # The server's head bound and deadline from the service's own settings.
        limits = SETTINGS[_check_service(service)]().request_limits()
    # No implicit development secret here: in production HS256 must stay off.
    uvicorn.run(
        f"services.{service}.app:create_app",
        factory=True,
        host=host,
        port=port or PORTS[service],
        log_config=None,
        access_log=False,
        **limits.uvicorn_options(),
    )


@app.command()
def worker(service: Annotated[str, typer.Argument(help="notifications")]) -> None:
    """Run a background worker (the notifications SMS sender)."""
    if service != "notifications":
        raise typer.BadParameter("only the notifications service has a worker")
    from services.notifications.worker import run_worker

    run_worker()


@db_app.command("upgrade")
def db_upgrade(
    service: Annotated[str | None, typer.Argument(help="One service; all when omitted")] = None,
) -> None:
    """Apply migrations (each service's URL from ``<SERVICE>_DATABASE_URL``)."""
    from shared.migrate import upgrade

    for name in [_check_service(service)] if service else SERVICES:
        url = os.environ.get(f"{name.upper()}_DATABASE_URL")
        if not url:
            raise typer.BadParameter(f"set {name.upper()}_DATABASE_URL")
        upgrade(name, url)
        typer.echo(f"{name}: at head")


@app.command()
def dev(
    fresh: Annotated[bool, typer.Option(help="Drop the local databases first")] = False,
    demo: Annotated[bool, typer.Option(help="Load synthetic demo data")] = True,
    base_port: Annotated[
        int, typer.Option(help="registry's port; console -1, consular +1, notifications +2")
    ] = 8001,
) -> None:
    """Run the whole system locally: three services, the worker, demo data.

    Uses DATABASE_URL (a server; one database per service is created on it) or
    per-service URLs when set, else an embedded PostgreSQL under .var/.
    """
    raise typer.Exit(run_dev(fresh=fresh, demo=demo, base_port=base_port))


if __name__ == "__main__":
    app()
