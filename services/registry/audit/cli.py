"""``migreg audit``: operate on the registry's audit trail."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

from services.registry.audit import checkpoints
from services.registry.audit.background import seal_and_checkpoint, signing_key
from services.registry.audit.verify import VerifyResult, verify_chain
from services.registry.settings import RegistrySettings
from shared.db import make_engine

app = typer.Typer(help="The registry's audit trail.", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None, typer.Option(help="The registry database; default REGISTRY_DATABASE_URL")
]


def _settings(database_url: str | None) -> RegistrySettings:
    """Settings from the environment; the database named explicitly, never a default."""
    url = database_url or os.environ.get("REGISTRY_DATABASE_URL")
    if not url:
        raise typer.BadParameter("pass --database-url or set REGISTRY_DATABASE_URL")
    return RegistrySettings(database_url=url)


@app.command("seal")
def seal(
    database_url: DatabaseUrl = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for transactions in flight")] = 30,
) -> None:
    """Chain the events appended since the last seal (and file a checkpoint if one is due)."""
    settings = _settings(database_url)

    async def run() -> int:
        engine = make_engine(settings.database_url, 1)
        try:
            return await seal_and_checkpoint(engine, settings, signing_key(settings), wait)
        finally:
            await engine.dispose()

    typer.echo(f"sealed {asyncio.run(run())} events")


@app.command("keygen")
def keygen(
    out: Annotated[Path, typer.Option(help="Private key file to create (its .pub beside it)")],
) -> None:
    """Make an Ed25519 checkpoint key; keep it away from the database and its backups."""
    if out.exists():
        raise typer.BadParameter(f"{out} exists; a key is never overwritten")
    checkpoints.generate_key(out)
    typer.echo(f"private key {out}; public key {checkpoints.public_key_path(out)}")


@app.command("verify")
def verify(
    database_url: DatabaseUrl = None,
    checkpoint_dir: Annotated[
        Path | None, typer.Option(help="Default REGISTRY_AUDIT_CHECKPOINT_DIR")
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(help="The checkpoint public key; default REGISTRY_AUDIT_CHECKPOINT_KEY_FILE"),
    ] = None,
) -> None:
    """Recompute the hash chain and hold it against every signed checkpoint;
    exit 1 naming the first thing that does not hold."""
    settings = _settings(database_url)
    directory = checkpoint_dir or settings.audit_checkpoint_dir
    key_file = public_key or settings.audit_checkpoint_key_file
    filed: list[checkpoints.Filed] = []
    if directory is not None:
        if key_file is None:
            raise typer.BadParameter("checkpoints need --public-key")
        filed = checkpoints.read_all(directory, checkpoints.load_public_key(key_file))
    result = verify_chain(settings.database_url, filed)
    if result.ok:
        typer.echo(f"audit trail intact: {result.checked} events, chain verified")
        typer.echo(_head(result))
        typer.echo(_checkpoint_line(directory, result))
        if result.unsealed:
            typer.echo(f"{result.unsealed} newer events not sealed yet (`migreg audit seal`)")
        return
    where = f" at seq {result.broken_seq}" if result.broken_seq is not None else ""
    event = f" (event {result.broken_id})" if result.broken_id else ""
    typer.echo(
        f"audit trail BROKEN{where}{event}: {result.reason}; "
        f"{result.checked} events before it verified"
    )
    typer.echo(_head(result, "last good"))
    raise typer.Exit(1)


def _checkpoint_line(directory: Path | None, result: VerifyResult) -> str:
    if directory is None:
        return "no checkpoints configured: a cut tail or a re-hashed history would go unnoticed"
    return f"{result.checkpoints} signed checkpoints agree"


def _head(result: VerifyResult, label: str = "head") -> str:
    if result.head_seq is None:
        return f"{label}: none (no event verified)"
    return f"{label}: seq {result.head_seq} hash {result.head_hash}"
