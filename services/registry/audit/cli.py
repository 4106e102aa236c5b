"""``migreg audit``: operate on the registry's audit trail."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from services.registry.audit.verify import VerifyResult, verify_chain

app = typer.Typer(help="The registry's audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(
    database_url: Annotated[
        str | None,
        typer.Option(help="The registry database; default REGISTRY_DATABASE_URL"),
    ] = None,
) -> None:
    """Recompute the hash chain; exit 1 naming the first broken link."""
    url = database_url or os.environ.get("REGISTRY_DATABASE_URL")
    if not url:
        raise typer.BadParameter("pass --database-url or set REGISTRY_DATABASE_URL")
    result = verify_chain(url)
    if result.ok:
        typer.echo(f"audit trail intact: {result.checked} events, chain verified")
        typer.echo(_head(result))
        return
    typer.echo(
        f"audit trail BROKEN at seq {result.broken_seq} (event {result.broken_id}): "
        f"{result.reason}; {result.checked} events before it verified",
        err=False,
    )
    typer.echo(_head(result, "last good"))
    raise typer.Exit(1)


def _head(result: VerifyResult, label: str = "head") -> str:
    """The chain's head, to compare with a value recorded outside the database."""
    if result.head_seq is None:
        return f"{label}: none (no event verified)"
    return f"{label}: seq {result.head_seq} hash {result.head_hash}"
