"""Instrument and round commands: list, add, diff, sync and score instruments; invite respondents to a round."""

from __future__ import annotations

from pathlib import Path

import click

from pilots import db
from workbench.commands import cli_user, echo_frame, friendly_errors, ready_engine

FORMATS = click.Choice(["table", "csv", "json"])


@click.group("instruments")
def instruments_group() -> None:
    """Versioned self-assessment instruments (definitions as YAML)."""


@instruments_group.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly_errors
def instruments_list(fmt: str) -> None:
    """List the stored instrument versions with their status (provisional or verified).

    \b
    Example: workbench instruments list
    """
    from instruments.store import instruments_frame

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        echo_frame(instruments_frame(session), fmt)


@instruments_group.command("add")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@friendly_errors
def instruments_add(file: Path) -> None:
    """Validate FILE (an instrument definition in YAML) and store it as a new version.

    Every error is listed with the path to the wrong field; nothing is stored then (exit code 1).

    \b
    Example: workbench instruments add mfof-sju-steg-0.2.0.yaml
    """
    from instruments.store import add_instrument_version

    text = file.read_text(encoding="utf-8")
    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        row = add_instrument_version(session, cli_user(), text, file.name)
        click.echo(f"{row.instrument_id} version {row.version} ({row.status}) är sparad (id {row.id}).")


@instruments_group.command("diff")
@click.argument("instrument_id")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly_errors
def instruments_diff(instrument_id: str, old: str, new: str, fmt: str) -> None:
    """Show what changed in INSTRUMENT_ID from version OLD to NEW, and which items stay comparable.

    \b
    Example: workbench instruments diff mfof-sju-steg 0.1.0 0.2.0
    """
    from instruments.store import version_diff

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        echo_frame(version_diff(session, instrument_id, old, new), fmt)


@instruments_group.command("sync")
@friendly_errors
def instruments_sync() -> None:
    """Store the shipped definitions (instruments/definitions/*.yaml) that the database lacks.

    \b
    Example: workbench instruments sync
    """
    from instruments.store import sync_builtin_instruments

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        added = sync_builtin_instruments(session)
        for row in added:
            click.echo(f"La till {row.instrument_id} {row.version}.")
    if not added:
        click.echo("Alla medföljande instrument finns redan i databasen.")


@instruments_group.command("score")
@click.option("--site", "site_code", required=True, help="Municipality code of the site, e.g. 2482.")
@click.option(
    "--pilot", "pilot_slug", default=None, help="Pilot slug when the municipality is in several pilots."
)
@click.option("--instrument", "instrument_id", required=True, help="Instrument id, e.g. mfof-sju-steg.")
@click.option("--round", "round_label", default=None, help="Only this round (its label), e.g. Nollmätning.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly_errors
def instruments_score(
    site_code: str, pilot_slug: str | None, instrument_id: str, round_label: str | None, fmt: str
) -> None:
    """Print a site's scores per round: item medians and spread, factors and derived indicators.

    The numbers are the same as on the results page. "Vet ej" answers are counted (n_dont_know), never scored.

    \b
    Example: workbench instruments score --site 2482 --instrument mfof-sju-steg --format csv
    """
    from instruments.answers import scores_table, site_scores
    from instruments.rounds import find_site

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        site = find_site(session, cli_user(), site_code, pilot_slug)
        scores = site_scores(session, cli_user(), site.id, instrument_id)
        table = scores_table(scores, round_label)
    if scores.provisional and fmt == "table":
        click.echo("Obs: preliminärt instrument – inte bekräftat mot officiell källa.", err=True)
    echo_frame(table, fmt)


@click.group("rounds")
def rounds_group() -> None:
    """Measurement rounds and invitation links."""


@rounds_group.command("list")
@click.option("--site", "site_code", default=None, help="Only this municipality code.")
@click.option(
    "--pilot", "pilot_slug", default=None, help="Pilot slug when the municipality is in several pilots."
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly_errors
def rounds_list(site_code: str | None, pilot_slug: str | None, fmt: str) -> None:
    """List rounds with their state (due, open, done, upcoming) and response counts.

    \b
    Example: workbench rounds list --site 2482
    """
    from instruments.rounds import find_site, rounds_frame

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        site_id = find_site(session, cli_user(), site_code, pilot_slug).id if site_code else None
        frame = rounds_frame(session, cli_user(), site_id)
    echo_frame(frame.drop(columns=["version"]), fmt)


@rounds_group.command("invite")
@click.option("--site", "site_code", required=True, help="Municipality code of the site, e.g. 2482.")
@click.option(
    "--pilot", "pilot_slug", default=None, help="Pilot slug when the municipality is in several pilots."
)
@click.option("--instrument", "instrument_id", required=True, help="Instrument id, e.g. mfof-sju-steg.")
@click.option("--round", "round_label", required=True, help="Round label, e.g. 'Uppföljning 1'.")
@click.option(
    "--respondent", required=True, help="Who answers, as a role or function (no name), e.g. Rektor."
)
@click.option("--days", default=14, show_default=True, help="Days the link is valid.")
@click.option("--base-url", default="http://localhost:8501", show_default=True, help="Address of the app.")
@friendly_errors
def rounds_invite(
    site_code: str,
    pilot_slug: str | None,
    instrument_id: str,
    round_label: str,
    respondent: str,
    days: int,
    base_url: str,
) -> None:
    """Make a single-use invitation link for one respondent and print it (it is shown only this once).

    \b
    Example: workbench rounds invite --site 2482 --instrument mfof-sju-steg --round "Uppföljning 2" --respondent Rektor
    """
    from instruments.invitations import create_invitation, invitation_link
    from instruments.rounds import find_round, find_site

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        site = find_site(session, cli_user(), site_code, pilot_slug)
        rnd = find_round(session, cli_user(), site.id, instrument_id, round_label)
        invitation, token = create_invitation(session, cli_user(), rnd.id, respondent, days)
        expires = invitation.expires_at
    click.echo(invitation_link(base_url, token))
    click.echo(
        f"Gäller till {expires:%Y-%m-%d %H:%M} (UTC) för {respondent}. Länken visas bara nu.", err=True
    )


COMMANDS = [instruments_group, rounds_group]
