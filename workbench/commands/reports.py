"""Report commands: the model report (docx/pdf/html), the chart pack (png/svg/pdf/pptx), the model file and its adoption."""

from __future__ import annotations

from pathlib import Path

import click

from pilots import db
from workbench.commands import cli_user, echo_frame, friendly_errors, ready_engine

CHART_FORMATS = ("png", "svg", "pdf", "pptx")


@click.command("report")
@click.option("--pilot", "pilot_slug", required=True, help="The pilot's slug, e.g. tryggvaxt.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "pdf", "html"]),
    default=None,
    help="Output format (default: from the file suffix).",
)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option(
    "--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True, help="Report language."
)
@click.option(
    "--version-label",
    "report_version",
    default="utkast",
    show_default=True,
    help="Report version whose commentary sections are included.",
)
@friendly_errors
def report(pilot_slug: str, fmt: str | None, out: str, lang: str, report_version: str) -> None:
    """Write the transferable cooperation model report of a pilot (DOCX, PDF or HTML).

    \b
    Example: workbench report --pilot tryggvaxt --format docx --out tryggvaxt.docx
    """
    from cooperation_model.report import build_report, write_report
    from pilots.sites import get_pilot_by_slug

    engine = ready_engine()
    with db.session_scope(engine, user=cli_user(), face="cli") as session:
        pilot = get_pilot_by_slug(session, cli_user(), pilot_slug)
        content = build_report(session, cli_user(), pilot.id, lang, report_version=report_version)
    path = write_report(content, out, fmt)
    click.echo(f"Skrev {path} (SHA-256 för underlaget: {content.fingerprint})")
    for source, what in content.missing:
        click.echo(f"  saknas: {source}: {what}", err=True)


@click.command("charts")
@click.option("--pilot", "pilot_slug", required=True, help="The pilot's slug.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(CHART_FORMATS),
    default="png",
    show_default=True,
    help="png/svg/pdf: one file per chart plus a ZIP; pptx: one conference deck.",
)
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False), help="Directory to write into."
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option("--chart", "keys", multiple=True, help="Only these chart keys (repeatable); default all.")
@friendly_errors
def charts(pilot_slug: str, fmt: str, out: str, lang: str, keys: tuple[str, ...]) -> None:
    """Export a pilot's charts for a conference, with one browser for the whole batch.

    \b
    Example: workbench charts --pilot tryggvaxt --format pptx --out konferens/
    """
    from cooperation_model.charts import pilot_charts, write_chart_pack
    from pilots.sites import get_pilot_by_slug

    engine = ready_engine()
    with db.session_scope(engine, user=cli_user(), face="cli") as session:
        pilot = get_pilot_by_slug(session, cli_user(), pilot_slug)
        entries = pilot_charts(session, cli_user(), pilot.id, lang)
        title = pilot.name
    written = write_chart_pack(
        entries, Path(out), fmt, title=title, lang=lang, keys=keys or None, stem=pilot_slug
    )
    for path in written:
        click.echo(str(path))


@click.group("model", invoke_without_command=True)
@click.option("--pilot", "pilot_slug", help="The pilot whose evidence the model is synthesised from.")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="JSON file to write.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.pass_context
@friendly_errors
def model(ctx: click.Context, pilot_slug: str | None, out: str | None, lang: str) -> None:
    """Write a pilot's transferable cooperation model as a machine-readable JSON file.

    \b
    Example: workbench model --pilot tryggvaxt --out modell.json
    """
    if ctx.invoked_subcommand is not None:
        return
    if not pilot_slug or not out:
        raise click.UsageError(
            "ange --pilot och --out (give --pilot and --out), or a subcommand such as adopt"
        )
    from cooperation_model.model import evidence_fingerprint, model_to_json, synthesise_model
    from cooperation_model.report import gather_evidence
    from pilots.sites import get_pilot_by_slug

    engine = ready_engine()
    with db.session_scope(engine, user=cli_user(), face="cli") as session:
        pilot = get_pilot_by_slug(session, cli_user(), pilot_slug)
        evidence = gather_evidence(session, cli_user(), pilot.id)
    text = model_to_json(synthesise_model(evidence, lang), evidence_fingerprint(evidence))
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Skrev {target}")


@model.command("adopt")
@click.option("--site", "code", required=True, help="Municipality code of the adopting site, e.g. 2482.")
@click.option(
    "--pilot", "pilot_slug", default=None, help="The site's pilot (needed when the code is in several)."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@friendly_errors
def adopt(code: str, pilot_slug: str | None, file: str) -> None:
    """Adopt a model file at a site: forum templates, a baseline round, and fidelity follow-up.

    \b
    Example: workbench model adopt --site 2482 --pilot tryggvaxt modell.json
    """
    from cooperation_model.adoption import adopt_model, model_fidelity
    from pilots.meetings import site_by_code

    engine = ready_engine()
    with db.session_scope(engine, user=cli_user(), face="cli") as session:
        site = site_by_code(session, cli_user(), code, pilot_slug)
        adoption = adopt_model(
            session, cli_user(), site.id, Path(file).read_text(encoding="utf-8"), source=Path(file).name
        )
        click.echo(f"Modellen antagen för plats {site.id} (fingeravtryck {adoption.model_fingerprint[:16]}…)")
        echo_frame(model_fidelity(session, cli_user(), site.id), "table")


COMMANDS = [report, charts, model]
