"""``migreg demo``: a synthetic country as files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from services.registry.demo.export import write_country

app = typer.Typer(help="Synthetic demo data (every record marked SYNTHETIC DEMO).")


@app.callback()
def _demo() -> None:
    """Synthetic demo data."""


@app.command()
def generate(
    persons: Annotated[int, typer.Option(min=1, help="How many migrants")] = 1000,
    seed: Annotated[int, typer.Option(help="The same seed gives the same country")] = 2026,
    out: Annotated[Path, typer.Option(help="Directory for the CSV files")] = Path("demo-data"),
) -> None:
    """Write persons.csv, family_members.csv and movements.csv for ``migreg import``."""
    with Progress(
        TextColumn("generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("people", total=persons)
        written = write_country(out, persons, seed, lambda n: bar.advance(task, n))
    typer.echo(
        f"wrote {written.persons} persons, {written.family_members} family members, "
        f"{written.movements} movements to {out}/"
    )
