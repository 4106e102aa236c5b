"""``migreg statistics``: operate on the registry's statistics aggregates."""

from __future__ import annotations

import asyncio

import typer

from services.registry.audit.cli import DatabaseUrl, _settings
from services.registry.statistics.background import refresh_now
from shared.db import make_engine

app = typer.Typer(help="The registry's statistics.", no_args_is_help=True)


@app.command("refresh")
def refresh(database_url: DatabaseUrl = None) -> None:
    """Recompute the monthly aggregates now (the registry also does on a schedule)."""
    settings = _settings(database_url)

    async def run() -> str:
        engine = make_engine(settings.database_url, 1)
        try:
            done = await refresh_now(engine, settings)
        finally:
            await engine.dispose()
        if done is None:
            return "another process is refreshing; nothing done"
        return f"refreshed {done.first_month} to {done.last_month}, as of {done.as_of.isoformat()}"

    typer.echo(asyncio.run(run()))
