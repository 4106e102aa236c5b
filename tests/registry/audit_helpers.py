"""Helpers for audit tests: run `migreg audit ...` and tamper as a superuser."""

from __future__ import annotations

import asyncio

import psycopg
from typer.testing import CliRunner, Result

from migreg.main import app as cli
from services.registry.audit.verify import psycopg_url


async def migreg(*args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI in a thread: it runs its own event loop."""

    def run() -> Result:
        return CliRunner().invoke(cli, list(args), env=env)

    return await asyncio.to_thread(run)


async def seal(url: str) -> None:
    result = await migreg("audit", "seal", "--database-url", url, "--wait", "10")
    assert result.exit_code == 0, result.output


def as_superuser(url: str, *statements: str) -> None:
    """Run statements with the append-only triggers switched off, as only a superuser can."""
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        for statement in statements:
            conn.execute(statement)


def sql(url: str, statement: str) -> None:
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute(statement)


def hash_at(url: str, seq: int) -> str:
    with psycopg.connect(psycopg_url(url)) as conn:
        row = conn.execute("SELECT hash FROM audit_events WHERE seq = %s", (seq,)).fetchone()
    assert row is not None
    return str(row[0])
