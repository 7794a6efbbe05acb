"""Core commands: serve, demo, status, db, users, reference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from pilots import db
from pilots.maintenance import database_status
from workbench.database import prepare_workbench
from workbench.commands import cli_user, echo_frame, echo_json, friendly_errors, ready_engine


@click.command()
@click.option("--port", default=8501, show_default=True, help="Port to listen on.")
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--demo/--no-demo", default=False, help="Load the demo dataset first if the database has no pilots.")
@friendly_errors
def serve(port: int, address: str, demo: bool) -> None:
    """Start the web app (upgrading the database schema first).

    \b
    Example: workbench serve --demo
    """
    engine = db.get_engine()
    if demo:
        from workbench.demo import load_demo

        load_demo(engine)
    else:
        prepare_workbench(engine)
    app = Path(__file__).resolve().parents[1] / "app.py"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--global.developmentMode", "false", "--runner.magicEnabled", "false",
    ]
    click.echo(f"Arbetsbänken startar på http://{address}:{port}  (databas: {engine.url.render_as_string()})")
    from cooperation_model.warmup import WARM_ENV
    from pilots.security import ENV_COOKIE_SECRET, cookie_secret, streamlit_environment

    secret = cookie_secret()
    if not secret.configured:
        click.echo(f"{ENV_COOKIE_SECRET} är inte satt: en slumpad kakhemlighet gäller bara den här starten.")
    env = streamlit_environment(secret)
    # The app process fills the derived-data cache in the background (cooperation_model.warmup).
    env.setdefault(WARM_ENV, "1")
    raise SystemExit(subprocess.call(cmd, env=env))


@click.command()
@friendly_errors
def demo() -> None:
    """Load the fictitious demo dataset (Exempeldata) into the configured database.

    \b
    Example: workbench demo
    """
    from workbench.demo import USERS_HELP, demo_password, load_demo

    engine = db.get_engine()
    load_demo(engine)
    click.echo("Exempeldata är inläst. Demokonton (lösenord: %s):" % demo_password())
    click.echo(USERS_HELP)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@friendly_errors
def status(fmt: str) -> None:
    """Show what the database holds, the schema version and the reference data loaded.

    \b
    Example: workbench status --format json
    """
    info = database_status(db.get_engine())
    if fmt == "json":
        echo_json(info)
        return
    click.echo(f"Databas:        {info['database']}")
    click.echo(f"Schemaversion:  {info['schema_version']} (koden: {info['code_schema_version']})"
               + ("" if info["schema_current"] else "  ← kör `workbench db upgrade`"))
    for key, value in info.get("counts", {}).items():
        click.echo(f"  {key:<24}{value}")
    if info.get("demo_data"):
        click.echo("Databasen innehåller exempeldata (fiktiva pilotprojekt).")
    for ref in info.get("reference_data", []):
        year = f", år {ref['year']}" if ref["year"] else ""
        click.echo(f"Referensdata {ref['kind']}: {ref['source']}{year} ({ref['rows']} rader)")


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Upgrade the schema to the newest migration; load the municipalities and the shipped definitions.

    \b
    Example: workbench db upgrade
    """
    engine = db.get_engine()
    prepare_workbench(engine)
    click.echo(f"Schemat är uppdaterat till {db.current_revision(engine)}.")


@db_group.command("current")
@friendly_errors
def db_current() -> None:
    """Print the database's schema version and the code's.

    \b
    Example: workbench db current
    """
    engine = db.get_engine()
    db.check_reachable(engine)
    click.echo(f"databas: {db.current_revision(engine) or '(tom)'}  kod: {db.head_revision()}")


@click.group("users")
def users_group() -> None:
    """Local user accounts."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "researcher", "mfof", "municipality", "presenter"]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters (prompted when not given).")
@click.option("--name", "display_name", default="", help="Display name (a role or function, not a private person's details).")
@click.option("--email", default=None, help="E-mail used for single sign-on (OIDC), optional.")
@click.option("--municipality", default=None, help="Municipality code for role municipality, e.g. 2482.")
@click.option("--pilot", "pilots", multiple=True, help="Pilot id (slug) a researcher is assigned to; repeatable.")
@friendly_errors
def users_add(username: str, role: str, password: str, display_name: str, email: str | None,
              municipality: str | None, pilots: tuple[str, ...]) -> None:
    """Create a user account with a role.

    \b
    Example: workbench users add anna --role researcher --pilot tryggvaxt
    """
    from pilots.users import create_user

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        create_user(session, username, password, role, display_name=display_name, email=email,
                    municipality_code=municipality, pilot_slugs=list(pilots))
    click.echo(f"Användaren {username} ({role}) är skapad.")


@users_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@friendly_errors
def users_list(fmt: str) -> None:
    """List user accounts.

    \b
    Example: workbench users list
    """
    from pilots.users import users_frame

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        echo_frame(users_frame(session, cli_user()), fmt)


@users_group.command("deactivate")
@click.argument("username")
@friendly_errors
def users_deactivate(username: str) -> None:
    """Deactivate an account (accounts are never deleted).

    \b
    Example: workbench users deactivate anna
    """
    from pilots.users import set_active

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        set_active(session, cli_user(), username, False)
    click.echo(f"Användaren {username} är avaktiverad.")


@click.group("reference")
def reference_group() -> None:
    """Municipality reference data (SKR groups, SCB population)."""


@reference_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--year", type=int, default=None, help="Year of the data when the file does not say (SKR group version or population year).")
@friendly_errors
def reference_import(file: Path, year: int | None) -> None:
    """Import SKR municipality groups and/or SCB population from FILE (.csv or .xlsx); all or nothing.

    \b
    Example: workbench reference import ../shared/reference/municipalities.csv
    """
    from pilots.municipalities import import_reference_file

    with db.session_scope(ready_engine(), user=cli_user(), face="import") as session:
        done = import_reference_file(session, file, year=year)
    for item in done:
        click.echo(f"Importerade {item.kind} (år {item.year}) för {item.rows} kommuner från {file.name}.")


@reference_group.command("show")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@friendly_errors
def reference_show(fmt: str) -> None:
    """Show the municipalities with their reference facts and the gaps.

    \b
    Example: workbench reference show --format csv
    """
    from pilots.municipalities import municipalities_frame, reference_gaps

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        echo_frame(municipalities_frame(session), fmt)
        for gap in reference_gaps(session):
            click.echo(gap, err=True)


COMMANDS = [serve, demo, status, db_group, users_group, reference_group]
