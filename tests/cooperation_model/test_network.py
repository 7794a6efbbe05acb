"""Co-attendance, bipartite and flow graphs and their metrics, on hand-built data worked out on paper."""

from __future__ import annotations

import math
from datetime import date

import networkx as nx
import pandas as pd
import pytest

from cooperation_model.network import (
    actor_metrics,
    bipartite_graph,
    co_attendance_graph,
    collaboration_level_graph,
    cross_sector_brokerage,
    degree_centralisation,
    directed_flow_graph,
    ego_network,
    graph_metrics,
    metrics_by_period,
)
from pilots.errors import NotFound, ValidationError


def _actors() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (1, "Socialtjänsten Rosengård", "Malmö stad", "socialtjänst", "operativ"),
            (2, "Värnhemsskolan", "Malmö stad", "skola", "operativ"),
            (3, "Lokalpolisområde Malmö Öster", "Polisen", "polis", "operativ"),
            (4, "Fritidsgården Örtagården", "Malmö stad", "fritid", "arendeniva"),
            (5, "BVC Möllevången", "Region Skåne", "bvc_mvc", "operativ"),
        ],
        columns=["actor_id", "name", "organisation", "sector", "level"],
    )


def _meetings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meeting_id": [101, 102, 103],
            "forum_id": [10, 10, 20],
            "date": [date(2024, 1, 10), date(2024, 2, 14), date(2024, 4, 10)],
        }
    )


def _attendance() -> pd.DataFrame:
    # 101: 1, 2, 3 attend, 5 invited but absent. 102: 1, 2. 103: 1, 4; 3 invited but absent.
    rows = [
        (101, 1, True, True), (101, 2, True, True), (101, 3, True, True), (101, 5, True, False),
        (102, 1, True, True), (102, 2, True, True),
        (103, 1, True, True), (103, 4, True, True), (103, 3, True, False),
    ]
    return pd.DataFrame(rows, columns=["meeting_id", "actor_id", "invited", "attended"])


# --- graph builders -----------------------------------------------------------------------------


def test_co_attendance_weights_count_shared_meetings() -> None:
    G = co_attendance_graph(_actors(), _meetings(), _attendance())
    assert set(G.nodes) == {1, 2, 3, 4}  # 5 never attended
    weights = {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
    assert weights == {
        frozenset((1, 2)): 2,
        frozenset((1, 3)): 1,
        frozenset((2, 3)): 1,
        frozenset((1, 4)): 1,
    }
    assert G.nodes[4] == {
        "name": "Fritidsgården Örtagården",
        "organisation": "Malmö stad",
        "sector": "fritid",
        "level": "arendeniva",
    }


def test_co_attendance_window_is_inclusive_and_invited_absentees_become_isolates() -> None:
    G = co_attendance_graph(_actors(), _meetings(), _attendance(), start="2024-01-10", end="2024-03-31",
                            include_invited=True)
    # Meetings 101 and 102 only; 5 was invited to 101 and never came.
    assert set(G.nodes) == {1, 2, 3, 5}
    assert G[1][2]["weight"] == 2
    assert G.degree(5) == 0
    assert graph_metrics(G)["n_isolates"] == 1


def test_bipartite_graph_links_actors_to_attended_meetings() -> None:
    B = bipartite_graph(_actors(), _meetings(), _attendance())
    actors = {n for n, d in B.nodes(data=True) if d["bipartite"] == 0}
    meetings = {n for n, d in B.nodes(data=True) if d["bipartite"] == 1}
    assert actors == {"actor:1", "actor:2", "actor:3", "actor:4"}
    assert meetings == {"meeting:101", "meeting:102", "meeting:103"}
    assert B.number_of_edges() == 7  # attended rows
    assert B.nodes["meeting:103"]["date"] == "2024-04-10"
    assert B.nodes["actor:3"]["sector"] == "polis"
    # Projecting onto actors gives back the co-attendance weights.
    P = nx.bipartite.weighted_projected_graph(B, actors)
    assert P["actor:1"]["actor:2"]["weight"] == 2


def test_directed_flow_graph_counts_flows_and_handed_over_actions() -> None:
    meetings = pd.DataFrame({"meeting_id": [101, 102], "date": ["2024-01-10", "2024-02-14"],
                             "convened_by": [1, None]})
    actions = pd.DataFrame({
        "action_id": [1, 2, 3, 4],
        "meeting_id": [101, 101, 102, 101],
        "owner_actor_id": [2, 1, 3, 3],  # 2: convener's own, 3: meeting without convener
    })
    flows = pd.DataFrame({
        "meeting_id": [101, None, None, None, None],
        "date": ["2024-01-10", "2024-01-20", "2024-02-01", "2024-02-02", "2025-01-01"],
        "from_actor_id": [1, 1, 2, 3, 1],
        "to_actor_id": [2, 2, 3, 3, 2],
        "kind": ["information", "referral", "information", "information", "referral"],
    })
    G = directed_flow_graph(_actors(), actions, flows, meetings, end="2024-12-31")
    assert G.is_directed()
    assert dict(G[1][2]) == {"weight": 3, "information": 1, "referral": 1, "actions": 1}
    assert dict(G[1][3]) == {"weight": 1, "information": 0, "referral": 0, "actions": 1}
    assert dict(G[2][3]) == {"weight": 1, "information": 1, "referral": 0, "actions": 0}
    assert not G.has_edge(2, 1) and not G.has_edge(3, 3)
    assert G.nodes[3]["sector"] == "polis"


def test_unknown_flow_kind_is_refused() -> None:
    flows = pd.DataFrame({"meeting_id": [None], "date": ["2024-01-01"], "from_actor_id": [1],
                          "to_actor_id": [2], "kind": ["gossip"]})
    empty_actions = pd.DataFrame(columns=["action_id", "meeting_id", "owner_actor_id"])
    meetings = pd.DataFrame(columns=["meeting_id", "date", "convened_by"])
    with pytest.raises(ValidationError, match="gossip"):
        directed_flow_graph(_actors(), empty_actions, flows, meetings)


def test_missing_columns_are_all_listed() -> None:
    with pytest.raises(ValidationError) as info:
        co_attendance_graph(_actors(), _meetings().drop(columns=["date"]),
                            _attendance().drop(columns=["attended"]))
    message = str(info.value)
    assert "meetings" in message and "date" in message
    assert "attendance" in message and "attended" in message


def test_attendance_of_unknown_actor_is_refused() -> None:
    att = pd.concat([_attendance(), pd.DataFrame([(101, 99, True, True)], columns=_attendance().columns)])
    with pytest.raises(ValidationError, match="99"):
        co_attendance_graph(_actors(), _meetings(), att)


# --- whole-graph metrics ------------------------------------------------------------------------


def test_star_of_four_density_half_and_full_centralisation() -> None:
    m = graph_metrics(nx.star_graph(3))  # centre 0, leaves 1..3
    assert m["n_actors"] == 4 and m["n_edges"] == 3
    assert m["density"] == pytest.approx(0.5)  # 3 of 6 possible ties
    assert m["degree_centralisation"] == pytest.approx(1.0)  # (2+2+2) / (3*2)
    assert m["n_components"] == 1 and m["n_isolates"] == 0 and m["max_k_core"] == 1


def test_path_of_four() -> None:
    G = nx.path_graph(4)
    m = graph_metrics(G)
    assert m["density"] == pytest.approx(0.5)
    assert m["degree_centralisation"] == pytest.approx(2 / 6)  # degrees 1,2,2,1: (1+0+0+1)/(3*2)
    a = actor_metrics(G).set_index("actor_id")
    # node 1 lies on the shortest paths 0–2 and 0–3: 2 of the 3 pairs not involving it.
    assert a.loc[1, "betweenness"] == pytest.approx(2 / 3)
    assert a.loc[0, "betweenness"] == 0
    assert a.loc[1, "degree_centrality"] == pytest.approx(2 / 3)


def test_two_components_and_an_isolate() -> None:
    G = nx.Graph([(1, 2), (3, 4), (4, 5)])
    G.add_node(6)
    m = graph_metrics(G)
    assert m["n_components"] == 3 and m["n_isolates"] == 1
    assert m["density"] == pytest.approx(3 / 15)
    comp = actor_metrics(G).set_index("actor_id")["component"]
    assert comp[3] == comp[4] == comp[5] == 0  # largest
    assert comp[1] == comp[2] == 1
    assert comp[6] == 2
    ties = nx.Graph([(10, 11), (9, 12)])
    assert actor_metrics(ties).set_index("actor_id")["component"].to_dict() == {9: 0, 12: 0, 10: 1, 11: 1}


def test_k_core_of_triangle_with_pendant() -> None:
    G = nx.Graph([(1, 2), (2, 3), (1, 3), (3, 4)])
    assert graph_metrics(G)["max_k_core"] == 2
    cores = actor_metrics(G).set_index("actor_id")["core_number"]
    assert cores.to_dict() == {1: 2, 2: 2, 3: 2, 4: 1}


def test_sector_mix_and_cross_sector_ties() -> None:
    G = nx.Graph()
    G.add_nodes_from([(1, {"sector": "skola"}), (2, {"sector": "skola"}), (3, {"sector": "polis"}),
                      (4, {"sector": "socialtjänst"})])
    G.add_weighted_edges_from([(1, 2, 3), (2, 3, 1), (3, 4, 1), (1, 4, 5)])
    m = graph_metrics(G)
    assert m["sector_shares"] == {"skola": 0.5, "polis": 0.25, "socialtjänst": 0.25}
    assert m["sector_blau"] == pytest.approx(1 - (0.25 + 0.0625 + 0.0625))
    assert m["sector_shannon"] == pytest.approx(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))
    assert m["cross_sector_edge_share"] == pytest.approx(3 / 4)  # all but skola–skola
    assert m["cross_sector_weight_share"] == pytest.approx(7 / 10)


def test_undefined_metrics_are_nan_not_errors() -> None:
    m = graph_metrics(nx.Graph())
    assert m["n_actors"] == 0 and m["n_components"] == 0 and m["max_k_core"] == 0
    assert math.isnan(m["density"]) and math.isnan(m["sector_blau"])
    assert math.isnan(degree_centralisation(nx.path_graph(2)))
    assert actor_metrics(nx.Graph()).empty


def test_betweenness_uses_distance_one_over_weight() -> None:
    # Square 0-1-2-3-0; strong ties 0-1 and 1-2 (weight 4) make the path 0-1-2 (distance 0.5)
    # shorter than 0-3-2 (distance 2). Pair 1–3 ties: 0.25+1 both ways.
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 4), (1, 2, 4), (2, 3, 1), (3, 0, 1)])
    b = actor_metrics(G).set_index("actor_id")["betweenness"]
    assert b[1] == pytest.approx(1 / 3)  # whole pair 0–2, normalised by 3 pairs
    assert b[0] == pytest.approx(0.5 / 3) and b[2] == pytest.approx(0.5 / 3)
    assert b[3] == 0
    wdeg = actor_metrics(G).set_index("actor_id")["weighted_degree"]
    assert wdeg[1] == 8 and wdeg[3] == 2


def test_brokerage_counts_only_pairs_from_different_sectors() -> None:
    # Star: centre socialtjänst, leaves skola, skola, polis. Leaf pairs: skola–skola (not counted),
    # skola–polis twice -> brokerage 2, while plain betweenness counts 3 pairs.
    G = nx.Graph()
    G.add_nodes_from([("X", {"sector": "socialtjänst"}), ("S1", {"sector": "skola"}),
                      ("S2", {"sector": "skola"}), ("P", {"sector": "polis"})])
    G.add_edges_from([("X", "S1"), ("X", "S2"), ("X", "P")])
    b = cross_sector_brokerage(G)
    assert b == {"X": pytest.approx(2.0), "S1": 0.0, "S2": 0.0, "P": 0.0}
    a = actor_metrics(G).set_index("actor_id")
    assert a.loc["X", "brokerage"] == pytest.approx(2.0)
    assert a.loc["X", "betweenness"] == pytest.approx(1.0)


def test_brokerage_splits_between_equally_short_paths() -> None:
    # Square A(skola)-B(soc)-C(polis)-D(soc)-A: A–C has two shortest paths, via B and via D.
    # B–D runs through A or C but both are socialtjänst, so that pair is no brokerage.
    G = nx.Graph([("A", "B"), ("B", "C"), ("C", "D"), ("D", "A")])
    sectors = {"A": "skola", "B": "socialtjänst", "C": "polis", "D": "socialtjänst"}
    nx.set_node_attributes(G, sectors, "sector")
    b = cross_sector_brokerage(G)
    assert b == {"A": 0.0, "B": pytest.approx(0.5), "C": 0.0, "D": pytest.approx(0.5)}


def test_directed_graph_metrics_read_ties_in_either_direction() -> None:
    D = nx.DiGraph()
    D.add_edge(1, 2, weight=2)
    D.add_edge(2, 1, weight=1)
    D.add_edge(2, 3, weight=1)
    m = graph_metrics(D)
    assert m["n_edges"] == 2 and m["density"] == pytest.approx(2 / 3)
    assert actor_metrics(D).set_index("actor_id").loc[2, "weighted_degree"] == 4


def test_ego_network() -> None:
    G = nx.path_graph(5)
    assert set(ego_network(G, 1).nodes) == {0, 1, 2}
    assert set(ego_network(G, 1, radius=2).nodes) == {0, 1, 2, 3}
    assert set(ego_network(G, 1).edges) == {(0, 1), (1, 2)}
    with pytest.raises(NotFound, match="42"):
        ego_network(G, 42)


# --- evolution over time ------------------------------------------------------------------------


def test_metrics_by_quarter() -> None:
    df = metrics_by_period(_actors(), _meetings(), _attendance(), freq="Q").set_index("period")
    assert list(df.index) == ["2024Q1", "2024Q2"]
    q1, q2 = df.loc["2024Q1"], df.loc["2024Q2"]
    # Q1: meetings 101, 102 -> triangle 1-2-3 (three sectors).
    assert q1["n_meetings"] == 2 and q1["n_actors"] == 3 and q1["n_edges"] == 3
    assert q1["density"] == pytest.approx(1.0) and q1["max_k_core"] == 2
    assert q1["sector_blau"] == pytest.approx(2 / 3)
    assert q1["share_socialtjänst"] == pytest.approx(1 / 3) and q1["share_fritid"] == 0
    # Q2: meeting 103 -> one tie 1-4.
    assert q2["n_meetings"] == 1 and q2["n_actors"] == 2 and q2["n_edges"] == 1
    assert q2["share_fritid"] == pytest.approx(0.5)
    assert q2["cross_sector_edge_share"] == pytest.approx(1.0)
    assert df.loc["2024Q1", "period_start"] == pd.Timestamp("2024-01-01")


def test_metrics_by_month_keeps_empty_months() -> None:
    df = metrics_by_period(_actors(), _meetings(), _attendance(), freq="M").set_index("period")
    assert list(df.index) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert df.loc["2024-03", "n_meetings"] == 0 and df.loc["2024-03", "n_actors"] == 0
    assert df.loc["2024-02", "n_edges"] == 1  # 1-2 only


def test_metrics_by_period_per_forum() -> None:
    df = metrics_by_period(_actors(), _meetings(), _attendance(), freq="Q", group_by="forum_id")
    got = {(r.forum_id, r.period): (r.n_meetings, r.n_actors) for r in df.itertuples()}
    assert got == {(10, "2024Q1"): (2, 3), (10, "2024Q2"): (0, 0), (20, "2024Q1"): (0, 0),
                   (20, "2024Q2"): (1, 2)}


def test_metrics_by_period_window_and_bad_freq() -> None:
    df = metrics_by_period(_actors(), _meetings(), _attendance(), freq="Q", start="2024-04-01",
                           end="2024-09-30")
    assert list(df["period"]) == ["2024Q2", "2024Q3"]
    assert list(df["n_meetings"]) == [1, 0]
    with pytest.raises(ValidationError, match="freq"):
        metrics_by_period(_actors(), _meetings(), _attendance(), freq="W")


def test_end_date_includes_meetings_later_that_day() -> None:
    meetings = _meetings()
    meetings["date"] = pd.to_datetime(meetings["date"]) + pd.Timedelta(hours=15)
    G = co_attendance_graph(_actors(), meetings, _attendance(), end="2024-02-14")
    assert G[1][2]["weight"] == 2  # 14 Feb 15:00 counts as within "end 2024-02-14"


def test_collaboration_level_graph_keeps_the_latest_rating_per_pair() -> None:
    ratings = pd.DataFrame({
        "date": ["2024-01-10", "2024-06-10", "2024-03-01", "2024-03-01", "2025-02-01"],
        "actor_a": [1, 2, 1, 3, 1],
        "actor_b": [2, 1, 3, 4, 2],
        "level": [2, 4, 1, 0, 5],
    })
    G = collaboration_level_graph(_actors(), ratings, end="2024-12-31")
    # 1–2 rated 2 then (as 2–1) 4; the 2025 rating is outside the window. 3–4 rated 0: no tie.
    assert dict(G[1][2]) == {"level": 4, "weight": 4, "n_ratings": 2}
    assert G[1][3]["level"] == 1
    assert not G.has_edge(3, 4) and 4 in G
    with pytest.raises(ValidationError, match="level 0..5"):
        collaboration_level_graph(_actors(), ratings.assign(level=[2, 4, 1, 0, 9]))
