"""Analysis commands: the national survey summary and comparisons of a site measure across groupings."""

from __future__ import annotations

import click

from workbench.commands import cli_user, echo_frame, friendly_errors, ready_engine

FORMATS = click.Choice(["table", "csv", "json"])


@click.group()
def survey() -> None:
    """The national survey (import it with `workbench import survey FILE`)."""


@survey.command("summary")
@click.option("--survey", "name", default=None, help="Survey name (default: the newest imported survey).")
@click.option(
    "--by",
    type=click.Choice(["skr_group_2017", "county", "verksamhet"]),
    default=None,
    help="Group by SKR group 2017, county or verksamhet (default: the whole country).",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly_errors
def survey_summary_command(name: str | None, by: str | None, lang: str, fmt: str) -> None:
    """Response rate and shares of ja with the counts behind every share (numerator and denominator).

    Municipalities without an SKR group in the reference data are grouped as "okänd".

    \b
    Example: workbench survey summary --by skr_group_2017 --format csv
    """
    from cooperation_model.survey import survey_table
    from pilots import db

    with db.session_scope(ready_engine(), user=cli_user(), face="cli") as session:
        table = survey_table(session, name, by, lang)
    echo_frame(table, fmt)


@click.command("compare")
@click.option("--measure", required=True, help="A measure key, e.g. meeting_count or systematicity.")
@click.option(
    "--by",
    "grouping",
    required=True,
    help="size_class, skr_group_2017, skr_group_2023, county, landsdel, fa_region or region:<name>.",
)
@click.option(
    "--pilot", "pilot_slug", default=None, help="Only the sites of this pilot (its id, e.g. tryggvaxt)."
)
@click.option(
    "--min-n", default=5, show_default=True, help="Minimum sites per group for a test (never below 5)."
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly_errors
def compare(measure: str, grouping: str, pilot_slug: str | None, min_n: int, lang: str, fmt: str) -> None:
    """Compare a site measure across groups: n, median and range per group, and a test only when every
    group has enough sites (otherwise "too few to compare").

    \b
    Example: workbench compare --measure meeting_count --by size_class --format csv
    """
    from cooperation_model.measures import compare_measure, site_measures
    from pilots import db
    from pilots.sites import get_pilot_by_slug

    user = cli_user()
    with db.session_scope(ready_engine(), user=user, face="cli") as session:
        pilot_id = get_pilot_by_slug(session, user, pilot_slug).id if pilot_slug else None
        frame = site_measures(session, user, pilot_id)
        result = compare_measure(frame, measure, grouping, min_n=min_n)
    echo_frame(result.group_table(lang), fmt)
    if fmt == "table":
        click.echo(result.message(lang))
    else:
        click.echo(result.message(lang), err=True)


COMMANDS = [survey, compare]
