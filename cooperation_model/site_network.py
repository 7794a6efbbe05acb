"""One site's cooperation network and forum systematicity, read from the meeting log (for CLI, pages, reports).

Each function reads the site's tables once through ``pilots.meetings.network_frames`` (scoped to the
user) and hands them to the pure analysis in ``cooperation_model.network`` and ``.systematicity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx
import pandas as pd
from sqlalchemy.orm import Session

from cooperation_model.network import (
    actor_metrics,
    bipartite_graph,
    co_attendance_graph,
    directed_flow_graph,
    ego_network,
    graph_metrics,
    metrics_by_period,
)
from cooperation_model.systematicity import forum_systematicity, systematicity_evidence
from pilots.access import CurrentUser
from pilots.errors import Problem, ValidationError
from pilots.meetings import NetworkFrames, attendance_frames, network_frames, sites_attendance_frames

GRAPH_KINDS: tuple[str, ...] = ("co_attendance", "bipartite", "flows")
PERIODS: dict[str, str] = {"quarter": "Q", "month": "M", "year": "Y", "Q": "Q", "M": "M", "Y": "Y"}


@dataclass(frozen=True)
class SiteNetwork:
    """A site's graphs and metrics for one window."""

    site_id: int
    start: date | None
    end: date | None
    frames: NetworkFrames
    co_attendance: nx.Graph
    bipartite: nx.Graph
    flows: nx.DiGraph
    metrics: dict[str, Any]
    actors: pd.DataFrame

    def graph(self, kind: str) -> nx.Graph:
        """The graph named co_attendance, bipartite or flows."""
        if kind not in GRAPH_KINDS:
            raise ValidationError(
                Problem("graph", f"'{kind}' is not a graph; expected one of {', '.join(GRAPH_KINDS)}")
            )
        return {"co_attendance": self.co_attendance, "bipartite": self.bipartite, "flows": self.flows}[kind]

    def ego(self, actor_id: int, radius: int = 1) -> nx.Graph:
        """The ego network of one actor in the co-attendance graph."""
        return ego_network(self.co_attendance, actor_id, radius)


def _check_window(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise ValidationError(Problem("--from/--to", f"startdatum {start} ligger efter slutdatum {end}"))


def site_network(
    session: Session,
    user: CurrentUser,
    site_id: int,
    start: date | None = None,
    end: date | None = None,
    *,
    include_invited: bool = False,
) -> SiteNetwork:
    """Co-attendance, bipartite and flow graphs of a site in [start, end], whole-network and actor metrics."""
    _check_window(start, end)
    f = network_frames(session, user, site_id, start, end)
    co = co_attendance_graph(f.actors, f.meetings, f.attendance, start, end, include_invited=include_invited)
    bi = bipartite_graph(f.actors, f.meetings, f.attendance, start, end)
    flows = directed_flow_graph(f.actors, f.actions, f.flows, f.meetings, start, end)
    metrics = graph_metrics(co)
    metrics["n_meetings"] = len(f.meetings)
    return SiteNetwork(site_id, start, end, f, co, bi, flows, metrics, actor_metrics(co))


def _period_freq(period: str) -> str:
    """The pandas frequency of "quarter", "month" or "year"; a clear error for anything else."""
    freq = PERIODS.get(period)
    if freq is None:
        raise ValidationError(
            Problem("--by-period", f"'{period}' is not a period; expected quarter, month or year")
        )
    return freq


def site_metrics_by_period(
    session: Session,
    user: CurrentUser,
    site_id: int,
    period: str = "quarter",
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """graph_metrics of the site's co-attendance graph per quarter, month or year (empty periods included)."""
    freq = _period_freq(period)
    _check_window(start, end)
    # Only actors, meetings and attendance are needed: the lighter read, not all of network_frames.
    actors, meetings, attendance = attendance_frames(session, user, site_id, start, end)
    return metrics_by_period(actors, meetings, attendance, freq, start=start, end=end)


def sites_metrics_by_period(
    session: Session, user: CurrentUser, period: str = "quarter", pilot_id: int | None = None
) -> pd.DataFrame:
    """``site_metrics_by_period`` for every site ``user`` may read (of one pilot, or all) in one pass: the
    rows read with three set-based queries, pairs counted once for all sites. One row per site and period
    from the first to the last period with meetings at any site, with ``site_id`` first."""
    freq = _period_freq(period)
    actors, meetings, attendance = sites_attendance_frames(session, user, pilot_id)
    return metrics_by_period(actors, meetings, attendance, freq, group_by="site_id")


def _systematicity_frames(
    session: Session, user: CurrentUser, site_id: int, start: date | None
) -> NetworkFrames:
    # No upper bound: the meeting after the window shows whether its last actions were followed up.
    return network_frames(session, user, site_id, start, None)


def site_systematicity(
    session: Session,
    user: CurrentUser,
    site_id: int,
    start: date | None = None,
    end: date | None = None,
    *,
    frames: NetworkFrames | None = None,
) -> pd.DataFrame:
    """forum_systematicity for every forum of the site, with its evidence list and role names.

    ``frames``: the site's ``network_frames`` from ``start`` on (no upper bound) when the caller has read
    them already; else they are read here."""
    _check_window(start, end)
    f = frames if frames is not None else _systematicity_frames(session, user, site_id, start)
    table = forum_systematicity(f.forums, f.meetings, f.attendance, f.actions, start, end)
    names = dict(zip(f.actors["actor_id"], f.actors["name"], strict=True))
    roles = f.forums.set_index("forum_id")
    for role, column in (
        ("convener", "convener_actor_id"),
        ("documenter", "documenter_actor_id"),
        ("follow_up", "follow_up_actor_id"),
    ):
        table[role] = [names.get(roles.at[fid, column]) for fid in table["forum_id"]]
    return table


def site_systematicity_evidence(
    session: Session, user: CurrentUser, site_id: int, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Which meetings lacked what, with the forum's name beside its id."""
    _check_window(start, end)
    f = _systematicity_frames(session, user, site_id, start)
    evidence = systematicity_evidence(f.forums, f.meetings, f.attendance, f.actions, start, end)
    names = dict(zip(f.forums["forum_id"], f.forums["name"], strict=True))
    evidence.insert(1, "forum", evidence["forum_id"].map(names))
    return evidence


def metrics_table(metrics: dict[str, Any]) -> pd.DataFrame:
    """graph_metrics as a two-column table (metric, value), sector shares flattened to share_<sector>."""
    rows = []
    for key, value in metrics.items():
        if isinstance(value, dict):
            rows += [(f"share_{k}", v) for k, v in value.items()]
        else:
            rows.append((key, value))
    return pd.DataFrame(rows, columns=["metric", "value"])
