"""``migreg import``: load legacy lists (CSV or Excel) into the registry."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from services.registry.clock import today
from services.registry.imports.database import Unusable, connect_registry
from services.registry.imports.kinds import KINDS
from services.registry.imports.read import (
    NotText,
    UnreadableFile,
    check_targets,
    count_rows,
    load_mapping,
    open_sheet,
)
from services.registry.settings import RegistrySettings

app = typer.Typer(help="Import legacy lists (CSV or .xlsx) with the API's validation.")

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or .xlsx")]
MappingOpt = Annotated[
    Path | None, typer.Option(help='TOML file: [columns] "header in the file" = "field"')
]
WorkersOpt = Annotated[int, typer.Option(min=1, help="Processes validating rows")]
DeferOpt = Annotated[
    bool | None,
    typer.Option(
        "--defer-indexes/--keep-indexes",
        help="Build the search indexes once at the end (default: when the registry is empty)",
    ),
]
EncodingOpt = Annotated[
    str,
    typer.Option(
        help="A CSV file's text encoding, e.g. cp1251 (empty: UTF-8; a byte-order mark is skipped)"
    ),
]
ReportOpt = Annotated[
    Path | None, typer.Option(help="Report files' stem (default: next to the input)")
]


def rate_progress() -> Progress:
    """A bar with rows per second and time remaining."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )


def _run(
    file: Path,
    mapping: Path | None,
    report: Path | None,
    encoding: str,
    kind: str,
    **opts: Any,
) -> None:
    """Load ``file`` with a progress bar and write the report; exit 1 if rows were rejected."""
    settings = RegistrySettings()
    try:
        columns = load_mapping(mapping)
        check_targets(columns, KINDS[kind].fields)
        sheet = open_sheet(file, columns, encoding)
    except NotText as exc:
        hint = "a list saved in another encoding: give it with --encoding, e.g. cp1251"
        raise typer.BadParameter(f"{exc} ({hint})") from exc
    except UnreadableFile as exc:
        raise typer.BadParameter(str(exc)) from exc
    try:
        connection = connect_registry(settings)
    except Unusable as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    on = today(settings)
    with connection as conn, rate_progress() as bar:
        task = bar.add_task(file.name, total=count_rows(file), rate="-")

        def advance(n: int) -> None:
            bar.advance(task, n)
            speed = bar.tasks[task].speed
            bar.update(task, rate=f"{speed:,.0f}" if speed else "-")

        try:
            result = KINDS[kind].load(conn, sheet.rows, settings, on, advance, **opts)
        except UnreadableFile as exc:  # mid-file: a cell over the reader's limit
            bar.stop()
            said = "the rows before it may be loaded (a corrected file's run adds nothing twice)"
            typer.echo(f"Error: {exc}; {said}", err=True)
            raise typer.Exit(2) from None
        # Every row read is done, blank ones (skipped) too; the total was an estimate.
        bar.update(task, total=sheet.rows.read, completed=sheet.rows.read)
    written = result.write(report or file.with_suffix(""))
    typer.echo(result.summary())
    typer.echo("report: " + ", ".join(str(p) for p in written))
    if result.rejected:
        raise typer.Exit(1)


@app.command()
def persons(
    file: FileArg,
    mapping: MappingOpt = None,
    report: ReportOpt = None,
    encoding: EncodingOpt = "utf-8",
    workers: WorkersOpt = os.cpu_count() or 1,
    defer_indexes: DeferOpt = None,
) -> None:
    """People: the POST /v1/persons body, one row each (pin, last_name, ...)."""
    opts = {"workers": workers, "defer_indexes": defer_indexes}
    _run(file, mapping, report, encoding, "persons", **opts)


@app.command("family-members")
def family_members(
    file: FileArg,
    mapping: MappingOpt = None,
    report: ReportOpt = None,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Family members: person_pin plus the POST .../family-members body; member_number and
    caregiver_number link a minor child to who looks after them."""
    _run(file, mapping, report, encoding, "family-members")


@app.command()
def movements(
    file: FileArg,
    mapping: MappingOpt = None,
    report: ReportOpt = None,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Departures and returns: person_pin, kind (departure | return), date, then the
    POST .../departures or .../returns body (a return's reason in ``reason``); a
    person's rows in the order they happened."""
    _run(file, mapping, report, encoding, "movements")
