"""Cooperation meetings as networkx graphs (who meets whom) and their metrics over time.

Input tables are plain DataFrames with the columns listed in the ``*_COLUMNS`` constants below; the
query layer produces exactly these. Every function here is pure: DataFrames or graphs in, graphs,
dicts or DataFrames out. Formulas and their meaning for a follow-researcher: docs/metrics.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeAlias

import networkx as nx
import pandas as pd

from pilots.codes import FLOW_KINDS, SECTORS
from pilots.errors import NotFound, Problem, ValidationError

# --- Input tables -------------------------------------------------------------------------------

ACTOR_COLUMNS: tuple[str, ...] = ("actor_id", "name", "organisation", "sector", "level")
"""actors: actor_id (int), name, organisation (str), sector (one of SECTORS), level (one of LEVELS)."""

FORUM_COLUMNS: tuple[str, ...] = (
    "forum_id",
    "site_id",
    "name",
    "purpose",
    "level",
    "cadence",
    "convener_actor_id",
    "documenter_actor_id",
    "follow_up_actor_id",
)
"""forums: a recurring cooperation group at a site; purpose may be None, the three role ids are
nullable actor ids, cadence is one of CADENCES."""

MEETING_COLUMNS: tuple[str, ...] = (
    "meeting_id",
    "forum_id",
    "date",
    "purpose",
    "convened_by",
    "documented_by",
    "decisions",
)
"""meetings: date is datetime64 or datetime.date; purpose/decisions are str or None (non-empty text
means stated/recorded); convened_by/documented_by are actor ids or None."""

ATTENDANCE_COLUMNS: tuple[str, ...] = ("meeting_id", "actor_id", "invited", "attended")
"""attendance: one row per actor and meeting; invited and attended are bools."""

ACTION_COLUMNS: tuple[str, ...] = (
    "action_id",
    "meeting_id",
    "owner_actor_id",
    "due_date",
    "status",
    "followed_up_at_meeting_id",
)
"""actions: commitments made at a meeting; status is open|done|cancelled; followed_up_at_meeting_id
is the later meeting where the action was reviewed, or None."""

FLOW_COLUMNS: tuple[str, ...] = ("meeting_id", "date", "from_actor_id", "to_actor_id", "kind")
"""flows: information or referral from one actor to another; meeting_id is nullable."""

RATING_COLUMNS: tuple[str, ...] = ("date", "actor_a", "actor_b", "level")
"""ratings: Levels of Collaboration scale, 0 none .. 5 collaboration (see COLLABORATION_LEVELS)."""

COLLABORATION_LEVELS: dict[int, str] = {
    0: "none",
    1: "networking",
    2: "cooperation",
    3: "coordination",
    4: "coalition",
    5: "collaboration",
}
UNKNOWN_SECTOR = "okand"
"""Sector counted for a node that has no sector attribute."""

NODE_ATTRIBUTES: tuple[str, ...] = ("name", "organisation", "sector", "level")

DateLike: TypeAlias = date | datetime | pd.Timestamp | str | None


# --- Validation and small helpers ---------------------------------------------------------------


def require_columns(frames: dict[str, pd.DataFrame], required: dict[str, Sequence[str]]) -> None:
    """Raise one ValidationError naming every missing column of every table."""
    problems = []
    for table, columns in required.items():
        present = set(frames[table].columns)
        missing = [c for c in columns if c not in present]
        if missing:
            problems.append(
                Problem(
                    f"table '{table}'",
                    f"missing column(s) {', '.join(missing)}; expected at least {', '.join(columns)}",
                )
            )
    if problems:
        raise ValidationError(problems)


def as_timestamp(value: DateLike, field: str) -> pd.Timestamp | None:
    """None, or ``value`` as a Timestamp; a value that is not a date is refused naming ``field``."""
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValidationError(Problem(field, f"'{value}' is not a date; expected YYYY-MM-DD")) from exc


def dated(frame: pd.DataFrame, column: str = "date", table: str = "meetings") -> pd.DataFrame:
    """Copy of ``frame`` with ``column`` parsed to datetime64; unparsable dates are refused."""
    out = frame.copy()
    parsed = pd.to_datetime(out[column], errors="coerce")
    bad = parsed.isna() & out[column].notna()
    missing = out[column].isna()
    problems = [
        Problem(f"{table}, row {i}, column {column}", f"'{out.at[i, column]}' is not a date")
        for i in out.index[bad]
    ] + [Problem(f"{table}, row {i}, column {column}", "date is missing") for i in out.index[missing]]
    if problems:
        raise ValidationError(problems)
    out[column] = parsed
    return out


def in_window(frame: pd.DataFrame, start: DateLike, end: DateLike, column: str = "date") -> pd.DataFrame:
    """Rows of ``frame`` whose ``column`` lies in [start, end], both ends inclusive (None = open)."""
    lo, hi = as_timestamp(start, "start"), as_timestamp(end, "end")
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(Problem("start/end", f"start {lo.date()} is after end {hi.date()}"))
    keep = pd.Series(True, index=frame.index)
    if lo is not None:
        keep &= frame[column] >= lo
    if hi is not None:
        # A bare end date means the whole of that day, also for meetings logged with a time.
        keep &= frame[column] < hi + pd.Timedelta(days=1) if hi == hi.normalize() else frame[column] <= hi
    return frame[keep]


def _plain(value: Any) -> Any:
    """numpy scalar -> Python scalar; NaN/NA/None -> None."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def actor_attributes(actors: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """actor_id -> {name, organisation, sector, level}, leaving out missing values."""
    require_columns({"actors": actors}, {"actors": ("actor_id",)})
    out: dict[int, dict[str, Any]] = {}
    columns = [c for c in NODE_ATTRIBUTES if c in actors.columns]
    for row in actors[["actor_id", *columns]].itertuples(index=False):
        values = dict(zip(["actor_id", *columns], row, strict=True))
        actor_id = int(values.pop("actor_id"))
        out[actor_id] = {k: _plain(v) for k, v in values.items() if _plain(v) is not None}
    return out


def _check_known_actors(ids: Iterable[Any], known: dict[int, dict[str, Any]], where: str) -> None:
    if isinstance(ids, pd.Series):  # the common case: one vectorised pass over hundreds of thousands of rows
        present = pd.to_numeric(ids, errors="coerce").dropna().unique()
        unknown = sorted({int(i) for i in present} - set(known))
    else:
        unknown = sorted({int(i) for i in ids if _plain(i) is not None} - set(known))
    if unknown:
        shown = ", ".join(str(i) for i in unknown[:20]) + (" ..." if len(unknown) > 20 else "")
        raise ValidationError(
            Problem(where, f"{len(unknown)} actor id(s) not in the actors table: {shown}")
        )


def _attended(attendance: pd.DataFrame) -> pd.DataFrame:
    """(meeting_id, actor_id) pairs for rows with attended true, one per pair."""
    att = attendance[attendance["attended"].fillna(False).astype(bool)]
    return att[["meeting_id", "actor_id"]].drop_duplicates()


def _pair_counts(att: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Shared meetings per unordered actor pair (actor_a < actor_b), within ``keys`` groups.

    One self-merge over all attendance rows: cost grows with sum over meetings of attendees²,
    with no Python loop per meeting.
    """
    left = att[[*keys, "meeting_id", "actor_id"]]
    pairs = left.merge(left, on=[*keys, "meeting_id"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["actor_id_a"] < pairs["actor_id_b"]]
    counts = pairs.groupby([*keys, "actor_id_a", "actor_id_b"], sort=False).size()
    return counts.rename("weight").reset_index().rename(
        columns={"actor_id_a": "actor_a", "actor_id_b": "actor_b"}
    )


def _add_pair_edges(G: nx.Graph, edges: pd.DataFrame) -> None:
    """Add the (actor_a, actor_b, weight) rows of ``_pair_counts`` as weighted int edges."""
    G.add_weighted_edges_from(
        zip(edges["actor_a"].astype(int), edges["actor_b"].astype(int), edges["weight"].astype(int),
            strict=True)
    )


# --- Graph builders -----------------------------------------------------------------------------


def co_attendance_graph(
    actors: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    start: DateLike = None,
    end: DateLike = None,
    *,
    include_invited: bool = False,
) -> nx.Graph:
    """Actors linked by the meetings they attended together in [start, end].

    Nodes are actor ids with attributes name, organisation, sector, level. Edge ``weight`` is the
    number of meetings both actors attended. With ``include_invited`` actors who were invited to a
    meeting in the window but attended none are added as isolated nodes (visible as isolates).

    >>> G = co_attendance_graph(actors, meetings, attendance, "2024-01-01", "2024-03-31")
    >>> G[1][2]["weight"]  # actors 1 and 2 attended 3 meetings together
    3
    """
    require_columns(
        {"actors": actors, "meetings": meetings, "attendance": attendance},
        {"actors": ("actor_id",), "meetings": ("meeting_id", "date"), "attendance": ATTENDANCE_COLUMNS},
    )
    attrs = actor_attributes(actors)
    _check_known_actors(attendance["actor_id"], attrs, "attendance, column actor_id")
    window = in_window(dated(meetings), start, end)
    rows = attendance[attendance["meeting_id"].isin(window["meeting_id"])]
    att = _attended(rows)
    G = nx.Graph()
    G.add_nodes_from((int(a), attrs[int(a)]) for a in att["actor_id"].unique())
    if include_invited:
        invited = rows[rows["invited"].fillna(False).astype(bool)]["actor_id"].unique()
        G.add_nodes_from((int(a), attrs[int(a)]) for a in invited if int(a) not in G)
    edges = _pair_counts(att)
    _add_pair_edges(G, edges)
    return G


def actor_node(actor_id: int) -> str:
    """Node key of an actor in the bipartite graph."""
    return f"actor:{int(actor_id)}"


def meeting_node(meeting_id: int) -> str:
    """Node key of a meeting in the bipartite graph."""
    return f"meeting:{int(meeting_id)}"


def bipartite_graph(
    actors: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    start: DateLike = None,
    end: DateLike = None,
) -> nx.Graph:
    """Actor–meeting graph: an edge for every attended meeting in [start, end].

    Actor nodes are ``"actor:<id>"`` with ``bipartite=0``, kind "actor", actor_id and the actor
    attributes; meeting nodes are ``"meeting:<id>"`` with ``bipartite=1``, kind "meeting",
    meeting_id, forum_id and date (ISO text, so the graph exports to GraphML). Meetings in the
    window that nobody attended are kept as isolated meeting nodes.
    """
    require_columns(
        {"actors": actors, "meetings": meetings, "attendance": attendance},
        {"actors": ("actor_id",), "meetings": ("meeting_id", "forum_id", "date"),
         "attendance": ATTENDANCE_COLUMNS},
    )
    attrs = actor_attributes(actors)
    _check_known_actors(attendance["actor_id"], attrs, "attendance, column actor_id")
    window = in_window(dated(meetings), start, end)
    att = _attended(attendance[attendance["meeting_id"].isin(window["meeting_id"])])
    G = nx.Graph()
    for row in window[["meeting_id", "forum_id", "date"]].itertuples(index=False):
        node = {"bipartite": 1, "kind": "meeting", "meeting_id": int(row.meeting_id),
                "date": row.date.date().isoformat()}
        if _plain(row.forum_id) is not None:
            node["forum_id"] = int(row.forum_id)
        G.add_node(meeting_node(row.meeting_id), **node)
    for actor_id in att["actor_id"].unique():
        G.add_node(actor_node(actor_id), bipartite=0, kind="actor", actor_id=int(actor_id),
                   **attrs[int(actor_id)])
    G.add_edges_from(
        (actor_node(a), meeting_node(m)) for m, a in att.itertuples(index=False)
    )
    return G


def directed_flow_graph(
    actors: pd.DataFrame,
    actions: pd.DataFrame,
    flows: pd.DataFrame,
    meetings: pd.DataFrame,
    start: DateLike = None,
    end: DateLike = None,
) -> nx.DiGraph:
    """Who passes information, referrals and commitments to whom, in [start, end].

    Edges run from sender to receiver:
    - a flow row gives an edge from_actor_id → to_actor_id (counted in ``information`` or
      ``referral`` by its kind, window by the flow's date);
    - an action gives an edge from the actor who convened the action's meeting (meetings.convened_by)
      to the action's owner (counted in ``actions``, window by the meeting's date). The convener is
      the one who hands the commitment over; actions whose meeting has no named convener, and
      actions the convener took on itself, give no edge.
    ``weight`` = information + referral + actions. Nodes are the actors at either end.
    """
    require_columns(
        {"actors": actors, "actions": actions, "flows": flows, "meetings": meetings},
        {"actors": ("actor_id",), "actions": ("action_id", "meeting_id", "owner_actor_id"),
         "flows": ("date", "from_actor_id", "to_actor_id", "kind"),
         "meetings": ("meeting_id", "date", "convened_by")},
    )
    attrs = actor_attributes(actors)
    bad_kinds = sorted(set(flows["kind"].dropna()) - set(FLOW_KINDS))
    if bad_kinds:
        raise ValidationError(Problem("flows, column kind",
                                      f"unknown kind(s) {', '.join(map(str, bad_kinds))}; expected "
                                      f"{' or '.join(FLOW_KINDS)}"))
    f = in_window(dated(flows, table="flows"), start, end)
    f = f.dropna(subset=["from_actor_id", "to_actor_id"])
    f = f[f["from_actor_id"] != f["to_actor_id"]]
    m = in_window(dated(meetings), start, end)
    a = actions.merge(m[["meeting_id", "convened_by"]], on="meeting_id", how="inner")
    a = a.dropna(subset=["convened_by", "owner_actor_id"])
    a = a[a["convened_by"] != a["owner_actor_id"]]
    _check_known_actors(pd.concat([f["from_actor_id"], f["to_actor_id"], a["convened_by"],
                                   a["owner_actor_id"]]), attrs, "flows/actions, actor ids")
    counts: dict[tuple[int, int], Counter[str]] = {}
    for src, dst, kind in f[["from_actor_id", "to_actor_id", "kind"]].itertuples(index=False):
        counts.setdefault((int(src), int(dst)), Counter())[kind] += 1
    for src, dst in a[["convened_by", "owner_actor_id"]].itertuples(index=False):
        counts.setdefault((int(src), int(dst)), Counter())["actions"] += 1
    G = nx.DiGraph()
    for (src, dst), c in counts.items():
        for node in (src, dst):
            if node not in G:
                G.add_node(node, **attrs[node])
        parts = {k: int(c.get(k, 0)) for k in ("information", "referral", "actions")}
        G.add_edge(src, dst, weight=sum(parts.values()), **parts)
    return G


def collaboration_level_graph(
    actors: pd.DataFrame,
    ratings: pd.DataFrame,
    start: DateLike = None,
    end: DateLike = None,
) -> nx.Graph:
    """Pairs of actors tied by their latest Levels of Collaboration rating in [start, end].

    Edge ``level`` (1 networking .. 5 collaboration) is the most recent rating of the pair (either
    order); ``weight`` equals it and ``n_ratings`` counts the ratings seen. A latest rating of
    0 (none) gives no tie. Nodes are the actors in any rating of the window, also unrated ones.
    """
    require_columns({"actors": actors, "ratings": ratings},
                    {"actors": ("actor_id",), "ratings": RATING_COLUMNS})
    attrs = actor_attributes(actors)
    r = in_window(dated(ratings, table="ratings"), start, end).dropna(subset=["actor_a", "actor_b", "level"])
    bad = r.index[~r["level"].isin(list(COLLABORATION_LEVELS))]
    if len(bad):
        raise ValidationError([Problem(f"ratings, row {i}, column level",
                                       f"'{r.at[i, 'level']}' is not a level 0..5") for i in bad])
    _check_known_actors(pd.concat([r["actor_a"], r["actor_b"]]), attrs, "ratings, actor ids")
    r = r[r["actor_a"] != r["actor_b"]].assign(
        low=r[["actor_a", "actor_b"]].min(axis=1).astype(int),
        high=r[["actor_a", "actor_b"]].max(axis=1).astype(int),
    ).sort_values("date", kind="stable")
    G = nx.Graph()
    G.add_nodes_from((int(a), attrs[int(a)]) for a in pd.unique(pd.concat([r["low"], r["high"]])))
    counts = r.groupby(["low", "high"]).size()
    latest = r.groupby(["low", "high"])["level"].last()
    for (a, b), level in latest.items():
        if int(level) > 0:
            G.add_edge(int(a), int(b), level=int(level), weight=int(level), n_ratings=int(counts[(a, b)]))
    return G


def ego_network(G: nx.Graph, actor_id: Hashable, radius: int = 1) -> nx.Graph:
    """The actor, everyone within ``radius`` steps (direction ignored) and the ties among them."""
    if actor_id not in G:
        raise NotFound(f"actor {actor_id} is not in the graph (no attended meeting in the period?)")
    if radius < 0:
        raise ValidationError(Problem("radius", f"must be 0 or more, got {radius}"))
    return nx.ego_graph(G, actor_id, radius=radius, undirected=True).copy()


# --- Metrics ------------------------------------------------------------------------------------


def _as_undirected(G: nx.Graph) -> nx.Graph:
    """Undirected copy; reciprocal directed edges become one edge whose weight is the sum."""
    if not G.is_directed():
        return G
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, w in G.edges(data="weight", default=1):
        if u == v:
            continue
        if H.has_edge(u, v):
            H[u][v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


def _sector(G: nx.Graph, node: Hashable) -> str:
    return str(G.nodes[node].get("sector") or UNKNOWN_SECTOR)


def degree_centralisation(G: nx.Graph) -> float:
    """Freeman degree centralisation: Σ(d_max − d_i) / ((n−1)(n−2)); NaN when n < 3."""
    H = _as_undirected(G)
    n = H.number_of_nodes()
    if n < 3:
        return math.nan
    degrees = [d for _, d in H.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def graph_metrics(G: nx.Graph) -> dict[str, Any]:
    """Whole-network numbers: size, density, centralisation, fragmentation, sector mix.

    A directed graph is read as undirected (a tie in either direction). Undefined values are NaN:
    density when n < 2, centralisation when n < 3, sector diversity when n = 0, cross-sector
    shares when there are no edges. ``sector_shares`` maps sector -> share of actors.
    """
    H = _as_undirected(G)
    n, m = H.number_of_nodes(), H.number_of_edges()
    sectors = Counter(_sector(H, v) for v in H)
    shares = {s: c / n for s, c in sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))} if n else {}
    cross = [(u, v, w) for u, v, w in H.edges(data="weight", default=1) if _sector(H, u) != _sector(H, v)]
    total_weight = H.size(weight="weight")
    return {
        "n_actors": n,
        "n_edges": m,
        "density": 2 * m / (n * (n - 1)) if n >= 2 else math.nan,
        "degree_centralisation": degree_centralisation(H),
        "n_components": nx.number_connected_components(H) if n else 0,
        "n_isolates": nx.number_of_isolates(H),
        "max_k_core": max(nx.core_number(H).values()) if n else 0,
        "n_sectors": len(sectors),
        "sector_shares": shares,
        "sector_blau": 1 - sum(p * p for p in shares.values()) if n else math.nan,
        "sector_shannon": sum(-p * math.log(p) for p in shares.values()) if n else math.nan,
        "cross_sector_edge_share": len(cross) / m if m else math.nan,
        "cross_sector_weight_share": sum(w for _, _, w in cross) / total_weight if m else math.nan,
    }


def _component_ids(H: nx.Graph) -> dict[Hashable, int]:
    """Component number per node: 0 = largest component, ties broken by smallest node key."""
    def first(c: set[Hashable]) -> tuple[int, int, str]:
        return min((0, v, "") if isinstance(v, int) else (1, 0, str(v)) for v in c)

    comps = sorted(nx.connected_components(H), key=lambda c: (-len(c), first(c)))
    return {v: i for i, comp in enumerate(comps) for v in comp}


def _with_distance(H: nx.Graph) -> nx.Graph:
    D = H.copy()
    for _, _, data in D.edges(data=True):
        data["distance"] = 1.0 / float(data.get("weight", 1) or 1)
    return D


def cross_sector_brokerage(G: nx.Graph) -> dict[Hashable, float]:
    """Shortest-path brokerage between sectors, per actor.

    b(v) = Σ over unordered pairs {s, t}, s ≠ v ≠ t, sector(s) ≠ sector(t), of σ_st(v) / σ_st,
    where σ_st counts the shortest s–t paths (distance = 1/weight) and σ_st(v) those through v.
    It is betweenness restricted to pairs from different sectors, not normalised.
    """
    D = _with_distance(_as_undirected(G))
    out: dict[Hashable, float] = dict.fromkeys(D, 0.0)
    by_sector: dict[str, list[Hashable]] = {}
    for v in D:
        by_sector.setdefault(_sector(D, v), []).append(v)
    for members in by_sector.values():
        others = [v for v in D if _sector(D, v) != _sector(D, members[0])]
        if not others:
            continue
        # For an undirected graph networkx halves each (source, target) contribution; summing over
        # every sector as source counts each cross-sector pair from both ends, so the halves add to 1.
        part = nx.betweenness_centrality_subset(D, members, others, normalized=False, weight="distance")
        for v, value in part.items():
            out[v] += value
    return out


ACTOR_METRIC_COLUMNS: tuple[str, ...] = (
    "actor_id", *NODE_ATTRIBUTES, "degree", "weighted_degree", "degree_centrality", "betweenness",
    "core_number", "component", "brokerage",
)


def actor_metrics(G: nx.Graph) -> pd.DataFrame:
    """One row per actor: degree, weighted degree, degree centrality, weighted betweenness
    (distance = 1/weight, normalised), k-core number, component id (0 = largest) and
    cross-sector brokerage. Sorted by betweenness, then weighted degree, descending."""
    H = _as_undirected(G)
    if H.number_of_nodes() == 0:
        return pd.DataFrame(columns=list(ACTOR_METRIC_COLUMNS))
    D = _with_distance(H)
    betweenness = nx.betweenness_centrality(D, weight="distance", normalized=True)
    centrality = nx.degree_centrality(H)
    cores = nx.core_number(H)
    components = _component_ids(H)
    brokerage = cross_sector_brokerage(H)
    rows = []
    for v, data in H.nodes(data=True):
        rows.append({
            "actor_id": v,
            **{a: data.get(a) for a in NODE_ATTRIBUTES},
            "degree": H.degree(v),
            "weighted_degree": H.degree(v, weight="weight"),
            "degree_centrality": centrality[v],
            "betweenness": betweenness[v],
            "core_number": cores[v],
            "component": components[v],
            "brokerage": brokerage[v],
        })
    frame = pd.DataFrame(rows, columns=list(ACTOR_METRIC_COLUMNS))
    frame = frame.sort_values(["betweenness", "weighted_degree", "actor_id"], ascending=[False, False, True])
    return frame.reset_index(drop=True)


def _metric_row(G: nx.Graph) -> dict[str, Any]:
    row = graph_metrics(G)
    for sector, share in row.pop("sector_shares").items():
        row[f"share_{sector}"] = share
    return row


def metrics_by_period(
    actors: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    freq: str = "Q",
    *,
    start: DateLike = None,
    end: DateLike = None,
    group_by: str | None = None,
) -> pd.DataFrame:
    """graph_metrics of the co-attendance graph for each period ("Q" quarter, "M" month, "Y" year).

    Columns: [group_by], period (e.g. "2024Q1"), period_start, n_meetings, the scalar graph_metrics
    and ``share_<sector>`` for every sector seen (0 where absent). Every period from the first to
    the last (or from start to end) gets a row, also those without meetings, so gaps show. With
    ``group_by`` (a column of meetings such as "site_id" or "forum_id") there is one row per group
    and period. Pair counts come from one pandas self-merge over all attendance; Python loops only
    over (group, period) graphs.
    """
    if freq not in ("Q", "M", "Y"):
        raise ValidationError(Problem("freq", f"'{freq}' is not supported; expected Q, M or Y"))
    need_meetings = ("meeting_id", "date") + ((group_by,) if group_by else ())
    require_columns(
        {"actors": actors, "meetings": meetings, "attendance": attendance},
        {"actors": ("actor_id",), "meetings": need_meetings, "attendance": ATTENDANCE_COLUMNS},
    )
    attrs = actor_attributes(actors)
    _check_known_actors(attendance["actor_id"], attrs, "attendance, column actor_id")
    m = in_window(dated(meetings), start, end)
    keys = [group_by] if group_by else []
    m = m.assign(period=m["date"].dt.to_period(freq))
    lo_ts, hi_ts = as_timestamp(start, "start"), as_timestamp(end, "end")
    lo = lo_ts.to_period(freq) if lo_ts is not None else (m["period"].min() if len(m) else None)
    hi = hi_ts.to_period(freq) if hi_ts is not None else (m["period"].max() if len(m) else None)
    if lo is None or hi is None:
        return pd.DataFrame(columns=[*keys, "period", "period_start", "n_meetings"])
    periods = pd.period_range(lo, hi, freq=freq)
    att = _attended(attendance).merge(m[["meeting_id", "period", *keys]], on="meeting_id")
    group_keys = [*keys, "period"]
    edges = _pair_counts(att, group_keys)
    # Nodes and weighted edges per (group, period) collected in one pass over plain arrays (a pandas
    # group per graph cost more than the graph metrics themselves at national scale).
    def key_columns(frame: pd.DataFrame) -> list[list[Any]]:
        # periods as their integer ordinals: boxing hundreds of thousands of Period objects is slow
        return [frame[k].array.asi8.tolist() if k == "period" else frame[k].tolist() for k in group_keys]

    nodes_by: dict[Any, set[int]] = {}
    for *key, actor in zip(*key_columns(att), att["actor_id"].astype(int).tolist(), strict=True):
        nodes_by.setdefault(tuple(key), set()).add(actor)
    edges_by: dict[Any, list[tuple[int, int, int]]] = {}
    for *key, a, b, w in zip(*key_columns(edges), edges["actor_a"].astype(int).tolist(),
                             edges["actor_b"].astype(int).tolist(), edges["weight"].astype(int).tolist(),
                             strict=True):
        edges_by.setdefault(tuple(key), []).append((a, b, w))
    n_meetings: dict[Any, int] = {}
    for meeting_key in zip(*key_columns(m), strict=True):
        n_meetings[meeting_key] = n_meetings.get(meeting_key, 0) + 1
    groups = sorted(m[group_by].dropna().unique().tolist()) if group_by else [None]
    rows = []
    for group in groups:
        for period in periods:
            graph_key = (group, period.ordinal) if group_by else (period.ordinal,)
            G = nx.Graph()
            G.add_nodes_from((a, attrs[a]) for a in sorted(nodes_by.get(graph_key, ())))
            G.add_weighted_edges_from(edges_by.get(graph_key, ()))
            row: dict[str, Any] = {group_by: group} if group_by else {}
            row.update(period=str(period), period_start=period.start_time, n_meetings=n_meetings.get(graph_key, 0))
            row.update(_metric_row(G))
            rows.append(row)
    frame = pd.DataFrame(rows)
    share_cols = [c for c in frame.columns if c.startswith("share_")]
    order = {f"share_{s}": i for i, s in enumerate((*SECTORS, UNKNOWN_SECTOR))}
    share_cols.sort(key=lambda c: (order.get(c, len(order)), c))
    frame[share_cols] = frame[share_cols].fillna(0.0)
    other = [c for c in frame.columns if c not in share_cols]
    return frame[other + share_cols]
