"""Cooperation network and forum commands: network metrics/export, forums list/systematicity."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
import pandas as pd

from cooperation_model.graph_export import FORMATS, write_graph
from cooperation_model.site_network import (
    GRAPH_KINDS,
    metrics_table,
    site_metrics_by_period,
    site_network,
    site_systematicity,
    site_systematicity_evidence,
    sites_metrics_by_period,
)
from pilots import db
from pilots.meetings import forums_frame, site_by_code
from workbench.commands import cli_user, echo_frame, friendly_errors, ready_engine

FRAME_FORMATS = ["table", "csv", "json"]


def _site_options(func):  # type: ignore[no-untyped-def]
    func = click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD).")(func)
    func = click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")(
        func
    )
    func = click.option(
        "--pilot",
        "pilot",
        default=None,
        help="Pilot slug; required when the municipality is in several pilots.",
    )(func)
    func = click.option("--site", "code", required=True, help="Municipality code of the site, e.g. 2482.")(
        func
    )
    return func


def _day(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]


@click.group("network")
def network_group() -> None:
    """The cooperation network of a site, built from its meeting log."""


@network_group.command("metrics")
@_site_options
@click.option(
    "--by-period",
    type=click.Choice(["quarter", "month", "year"]),
    default=None,
    help="One row per period instead of the whole window.",
)
@click.option(
    "--actors", "per_actor", is_flag=True, help="One row per actor (degree, betweenness, brokerage...)."
)
@click.option("--format", "fmt", type=click.Choice(FRAME_FORMATS), default="table", show_default=True)
@friendly_errors
def network_metrics(
    code: str, pilot: str | None, start: object, end: object, by_period: str | None, per_actor: bool, fmt: str
) -> None:
    """Print network metrics of a site's co-attendance graph (formulas: docs/metrics.md).

    \b
    Example: workbench network metrics --site 2482 --from 2025-01-01 --to 2025-06-30 --format csv
    Example: workbench network metrics --site 2482 --by-period quarter --format json
    """
    user = cli_user()
    with db.session_scope(ready_engine(), user=user, face="cli") as session:
        site = site_by_code(session, user, code, pilot)
        if by_period:
            frame = site_metrics_by_period(session, user, site.id, by_period, _day(start), _day(end))
            frame["period_start"] = frame["period_start"].dt.date
        else:
            net = site_network(session, user, site.id, _day(start), _day(end))
            frame = net.actors if per_actor else metrics_table(net.metrics)
    echo_frame(frame, fmt)


@network_group.command("trends")
@click.option("--pilot", "pilot", default=None, help="Pilot slug; all your pilots' sites when left out.")
@click.option(
    "--by-period", type=click.Choice(["quarter", "month", "year"]), default="quarter", show_default=True
)
@click.option("--format", "fmt", type=click.Choice(FRAME_FORMATS), default="table", show_default=True)
@friendly_errors
def network_trends(pilot: str | None, by_period: str, fmt: str) -> None:
    """Print network metrics per period for every site you may read, one row per site and period.

    \b
    Example: workbench network trends --pilot tryggvaxt --by-period quarter --format csv
    """
    from pilots.sites import get_pilot_by_slug, sites_frame

    user = cli_user()
    with db.session_scope(ready_engine(), user=user, face="cli") as session:
        pilot_id = get_pilot_by_slug(session, user, pilot).id if pilot else None
        frame = sites_metrics_by_period(session, user, by_period, pilot_id)
        sites = sites_frame(session, user, pilot_id)[["site_id", "municipality_code", "municipality_name"]]
    frame = sites.merge(frame, on="site_id").drop(columns="site_id")
    frame["period_start"] = frame["period_start"].dt.date
    echo_frame(frame, fmt)


@network_group.command("export")
@_site_options
@click.option(
    "--graph",
    "kind",
    type=click.Choice(list(GRAPH_KINDS)),
    default="co_attendance",
    show_default=True,
    help="co_attendance (actors, weight = shared meetings), bipartite (actors–meetings) or flows "
    "(directed referrals, information and actions).",
)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="graphml", show_default=True)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (csv writes a .zip with nodes.csv and edges.csv).",
)
@friendly_errors
def network_export(
    code: str, pilot: str | None, start: object, end: object, kind: str, fmt: str, out: Path
) -> None:
    """Write a site's graph for Gephi, Cytoscape or Excel, with sector and level on every actor.

    \b
    Example: workbench network export --site 2482 --format gexf --out skelleftea.gexf
    """
    user = cli_user()
    with db.session_scope(ready_engine(), user=user, face="cli") as session:
        site = site_by_code(session, user, code, pilot)
        G = site_network(session, user, site.id, _day(start), _day(end)).graph(kind)
    path = write_graph(G, out, fmt)
    click.echo(f"{path}: {G.number_of_nodes()} noder, {G.number_of_edges()} kanter ({kind}, {fmt})")


@click.group("forums")
def forums_group() -> None:
    """Cooperation forums of a site and how systematic they are."""


@forums_group.command("list")
@click.option("--site", "code", required=True, help="Municipality code of the site, e.g. 2482.")
@click.option(
    "--pilot", default=None, help="Pilot slug; required when the municipality is in several pilots."
)
@click.option("--format", "fmt", type=click.Choice(FRAME_FORMATS), default="table", show_default=True)
@friendly_errors
def forums_list(code: str, pilot: str | None, fmt: str) -> None:
    """List a site's forums with purpose, level, cadence and roles.

    \b
    Example: workbench forums list --site 2482
    """
    user = cli_user()
    with db.session_scope(ready_engine(), user=user, face="cli") as session:
        site = site_by_code(session, user, code, pilot)
        frame = forums_frame(session, user, site.id)
    frame = frame.assign(n_members=frame["member_ids"].map(len)).drop(columns=["member_ids", "version"])
    echo_frame(frame, fmt)


@forums_group.command("systematicity")
@_site_options
@click.option("--evidence", is_flag=True, help="List which meetings lacked what instead of the scores.")
@click.option("--format", "fmt", type=click.Choice(FRAME_FORMATS), default="table", show_default=True)
@friendly_errors
def forums_systematicity(
    code: str, pilot: str | None, start: object, end: object, evidence: bool, fmt: str
) -> None:
    """How systematic each forum is, judged from its meetings (regularity, roles, decisions, follow-up).

    \b
    Example: workbench forums systematicity --site 2482 --from 2025-01-01 --to 2025-12-31
    Example: workbench forums systematicity --site 2482 --evidence --format csv
    """
    user = cli_user()
    with db.session_scope(ready_engine(), user=user, face="cli") as session:
        site = site_by_code(session, user, code, pilot)
        if evidence:
            frame = site_systematicity_evidence(session, user, site.id, _day(start), _day(end))
            frame["date"] = pd.to_datetime(frame["date"]).dt.date
        else:
            frame = site_systematicity(session, user, site.id, _day(start), _day(end)).drop(
                columns=["evidence"]
            )
            if fmt == "table":
                frame = frame[
                    [
                        "forum_id",
                        "name",
                        "cadence",
                        "n_meetings",
                        "regularity",
                        "share_purpose",
                        "share_convener",
                        "share_documenter",
                        "share_decisions",
                        "share_followed_up",
                        "score",
                        "classification",
                    ]
                ].round(2)
            for column in ("first_meeting", "last_meeting"):
                if column in frame:
                    frame[column] = pd.to_datetime(frame[column]).dt.date
    echo_frame(frame, fmt)


COMMANDS = [network_group, forums_group]
