"""Protection commands: backup, restore and the audit trail."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from pilots import db
from pilots.errors import WorkbenchError
from workbench.commands import cli_user, echo_frame, friendly_errors, ready_engine


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@friendly_errors
def backup_command(file: Path, overwrite: bool) -> None:
    """Write a consistent backup of the whole database to FILE (safe while the app runs).

    SQLite: an online copy that is itself a SQLite file. PostgreSQL: a pg_dump custom archive.

    \b
    Example: workbench backup backups/workbench-2026-03-01.backup
    """
    from pilots.backup import backup

    info = backup(ready_engine(), file, overwrite=overwrite)
    click.echo(f"Säkerhetskopian är sparad: {info.path} ({info.size} byte, {info.backend}).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly_errors
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup in FILE (stop the app first).

    Everything written after the backup was taken is lost; asks first unless --yes.

    \b
    Example: workbench restore backups/workbench-2026-03-01.backup --yes
    """
    from pilots.backup import describe, restore

    info = describe(file)
    engine = db.get_engine()
    target = engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(
            f"Allt i {target} ersätts med innehållet i {file}. Ändringar gjorda efter kopian går förlorade. "
            "Fortsätta?", abort=True,
        )
    restore(engine, info.path)
    click.echo(f"Databasen är återställd från {file}.")
    if info.schema_revision and info.schema_revision != db.head_revision():
        click.echo("Kopian har ett äldre schema: kör `workbench db upgrade`.")


def _day(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise WorkbenchError(f"{option} {value!r} är inget datum; skriv ÅÅÅÅ-MM-DD.") from None


@click.command("audit")
@click.option("--entity", default=None, help="Table name, e.g. site, pilot, log_entry, database.")
@click.option("--user", "username", default=None, help="Username.")
@click.option("--face", type=click.Choice(db.FACES), default=None, help="Where the change came from.")
@click.option("--since", default=None, help="From this date (YYYY-MM-DD), inclusive.")
@click.option("--until", default=None, help="Before this date (YYYY-MM-DD), exclusive.")
@click.option("--limit", default=200, show_default=True, help="Newest events shown.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@friendly_errors
def audit_command(entity: str | None, username: str | None, face: str | None, since: str | None,
                  until: str | None, limit: int, fmt: str) -> None:
    """Show the audit trail (who changed what, when, through which face), newest first.

    CSV output is formula-safe (cells starting with = + - @ are prefixed with ').

    \b
    Example: workbench audit --entity site --face import --since 2026-01-01 --format csv
    """
    from pilots.audit import audit_trail
    from pilots.exporting import csv_bytes

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        frame = audit_trail(session, cli_user(), entity=entity, username=username, face=face,
                            since=_day(since, "--since"), until=_day(until, "--until"), limit=limit)
    if fmt == "csv":
        click.echo(csv_bytes(frame, "plain").decode("utf-8"), nl=False)
    else:
        echo_frame(frame, fmt)


COMMANDS = [backup_command, restore_command, audit_command]
