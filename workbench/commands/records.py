"""Record commands: `template`, `import` and `export` for every registered kind, and the indicator definitions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pilots import db
from pilots.errors import WorkbenchError
from pilots.exporting import FORMATS, records_to_bytes, write_records
from pilots.importing import run_import
from pilots.templates import write_template
from workbench.commands import cli_user, echo_frame, friendly_errors, ready_engine
from workbench.importers import IMPORTERS, face_importer, importer_for


def _choices(importer: Any) -> dict[str, list[str]] | None:
    if not hasattr(importer, "choices"):
        return None
    try:
        engine = ready_engine()
    except WorkbenchError:
        return None
    with db.session_scope(engine, user=cli_user(), face="cli") as session:
        found = importer.choices(session, cli_user())
    return {k: list(v) for k, v in found.items()} or None


KIND = click.Choice(list(IMPORTERS))


@click.command("template")
@click.argument("kind", type=KIND)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .xlsx (with drop-down lists) or .csv.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of the instructions sheet.")
@friendly_errors
def template(kind: str, out: Path, lang: str) -> None:
    """Write a blank import template for KIND (sites, milestones, log, indicators, meetings, survey).

    \b
    Example: workbench template log --out logg.xlsx
    """
    importer = face_importer(kind)
    write_template(importer.spec, out, lang=lang, choices_override=_choices(importer))
    click.echo(f"Mallen för {kind} är sparad: {out}")


@click.command("import")
@click.argument("kind", type=KIND)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file against the database but write nothing.")
@friendly_errors
def import_(kind: str, file: Path, dry_run: bool) -> None:
    """Import a CSV or xlsx file of KIND; every problem is listed and nothing is written unless all rows pass.

    \b
    Example: workbench import indicators indikatorer-kv1.csv
    """
    importer = face_importer(kind)
    engine = ready_engine()
    with db.session_scope(engine, user=cli_user(), face="import") as session:
        result = run_import(session, cli_user(), importer, file)
        if dry_run:
            session.rollback()
    prefix = "Kontroll utan att spara: " if dry_run else ""
    click.echo(prefix + result.summary())


@click.command("export")
@click.argument("kind", type=KIND)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="csv, xlsx or json (default: from the --out extension, else csv).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; without it csv/json go to standard output.")
@friendly_errors
def export(kind: str, fmt: str | None, out: Path | None) -> None:
    """Export every record of KIND you may read, in the import template's columns (re-importable).

    \b
    Example: workbench export log --format xlsx --out logg.xlsx
    """
    importer = importer_for(kind)
    if not hasattr(importer, "export"):
        raise WorkbenchError(f"Export av {kind!r} finns inte.")
    engine = ready_engine()
    with db.session_scope(engine, user=cli_user(), face="cli") as session:
        frame = importer.export(session, cli_user())
    if out is not None:
        if fmt and out.suffix.lower().lstrip(".") != fmt:
            out = out.with_suffix(f".{fmt}")
        write_records(frame, out)
        click.echo(f"{len(frame)} rader exporterade till {out}")
        return
    fmt = fmt or "csv"
    if fmt == "xlsx":
        raise WorkbenchError("xlsx kan inte skrivas till terminalen; ange --out FIL.xlsx")
    sys.stdout.buffer.write(records_to_bytes(frame, fmt, dialect="plain" if fmt == "csv" else "excel-sv"))


@click.command("indicators")
@click.option("--sync", is_flag=True, help="Load pilots/indicator_definitions/*.yaml into the database first.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@friendly_errors
def indicators(sync: bool, fmt: str) -> None:
    """List the indicator definitions (code, name, unit, range, source).

    \b
    Example: workbench indicators --sync
    """
    from pilots.indicators import indicator_definitions_frame, sync_indicator_definitions

    engine = ready_engine()
    with db.session_scope(engine, user=cli_user(), face="cli") as session:
        if sync:
            changed = sync_indicator_definitions(session)
            click.echo(f"{changed} indikatordefinitioner nya eller ändrade.", err=True)
        frame = indicator_definitions_frame(session)
    echo_frame(frame[["code", "name", "unit", "min_value", "max_value", "status"]] if fmt == "table" else frame, fmt)


COMMANDS = [template, import_, export, indicators]
