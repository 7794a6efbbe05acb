"""Exporting cooperation graphs and reading them back gives the same nodes, edges and attributes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from cooperation_model.graph_export import graph_from_bytes, graph_to_bytes, read_graph, write_graph
from pilots.errors import ValidationError

FORMATS = ["graphml", "gexf", "csv"]


def _graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node(1, name="Förskolan Äppelträdet", organisation="Malmö stad", sector="förskola",
               level="operativ")
    G.add_node(2, name="Socialtjänsten Östra Göinge", organisation="Östra Göinge kommun",
               sector="socialtjänst", level="strategisk")
    G.add_node(3, name="Vårdcentral 1177", organisation="1177", sector="halso_sjukvard", level=None)
    G.add_node(4, name="Trossamfund Åby", organisation="Åby församling", sector="trossamfund",
               level="operativ")  # isolate
    G.add_edge(1, 2, weight=np.int64(3), share=0.25, cross_sector=True)
    G.add_edge(2, 3, weight=1, share=None, cross_sector=True)
    return G


def _expected(G: nx.Graph) -> tuple[dict, dict]:
    """Nodes and edges as plain dicts, without the None attributes that export drops."""
    nodes = {n: {k: v for k, v in d.items() if v is not None} for n, d in G.nodes(data=True)}
    edges = {frozenset((u, v)) if not G.is_directed() else (u, v):
             {k: (v2.item() if hasattr(v2, "item") else v2) for k, v2 in d.items() if v2 is not None}
             for u, v, d in G.edges(data=True)}
    return nodes, edges


def _as_dicts(G: nx.Graph) -> tuple[dict, dict]:
    nodes = {n: dict(d) for n, d in G.nodes(data=True)}
    edges = {(frozenset((u, v)) if not G.is_directed() else (u, v)): dict(d)
             for u, v, d in G.edges(data=True)}
    return nodes, edges


def _types(d: dict) -> dict:
    return {k: type(v) for k, v in d.items()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_nodes_edges_and_attributes(tmp_path: Path, fmt: str) -> None:
    G = _graph()
    path = write_graph(G, tmp_path / f"nätverk.{fmt}", fmt)
    back = read_graph(path, fmt)
    assert not back.is_directed()
    nodes, edges = _as_dicts(back)
    exp_nodes, exp_edges = _expected(G)
    assert nodes == exp_nodes
    assert edges == exp_edges
    # Same types too: ids stay int, counts stay int, flags stay bool, "1177" stays text.
    assert all(isinstance(n, int) for n in back.nodes)
    assert _types(edges[frozenset((1, 2))]) == {"weight": int, "share": float, "cross_sector": bool}
    assert back.nodes[3]["organisation"] == "1177"
    assert "level" not in back.nodes[3]


@pytest.mark.parametrize("fmt", FORMATS)
def test_directed_flow_graph_round_trip(tmp_path: Path, fmt: str) -> None:
    D = nx.DiGraph()
    D.add_node(1, name="Polisen Södertälje", sector="polis")
    D.add_node(2, name="Elevhälsan Järna", sector="elevhälsa")
    D.add_edge(1, 2, weight=3, information=1, referral=1, actions=1)
    D.add_edge(2, 1, weight=1, information=1, referral=0, actions=0)
    back = read_graph(write_graph(D, tmp_path / f"flöden.{fmt}", fmt), fmt)
    assert back.is_directed()
    assert _as_dicts(back) == _expected(D)


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_node_ids_of_bipartite_graph_stay_text(tmp_path: Path, fmt: str) -> None:
    B = nx.Graph()
    B.add_node("actor:1", bipartite=0, kind="actor", actor_id=1, name="Fritidsgården Örat")
    B.add_node("meeting:7", bipartite=1, kind="meeting", meeting_id=7, date="2024-03-05")
    B.add_edge("actor:1", "meeting:7")
    back = read_graph(write_graph(B, tmp_path / f"b.{fmt}", fmt), fmt)
    assert _as_dicts(back) == _expected(B)


def test_format_follows_suffix_and_swedish_text_is_utf8(tmp_path: Path) -> None:
    G = _graph()
    for suffix in ("graphml", "gexf"):
        path = write_graph(G, tmp_path / f"g.{suffix}")
        text = path.read_bytes().decode("utf-8")
        assert "Förskolan Äppelträdet" in text and "Östra Göinge kommun" in text
        assert read_graph(path).nodes[1]["name"] == "Förskolan Äppelträdet"
    zipped = write_graph(G, tmp_path / "g.zip")
    with zipfile.ZipFile(zipped) as zf:
        assert {"nodes.csv", "edges.csv"} <= set(zf.namelist())
        nodes_csv = zf.read("nodes.csv")
        edges_csv = zf.read("edges.csv").decode("utf-8-sig")
    assert nodes_csv.startswith(b"\xef\xbb\xbf")  # BOM so that Excel shows å, ä, ö
    header = nodes_csv.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["Id", "Label"] and {"name", "sector", "organisation", "level"} <= set(header)
    assert "Förskolan Äppelträdet" in nodes_csv.decode("utf-8-sig")
    assert edges_csv.splitlines()[0].split(",")[:4] == ["Source", "Target", "Type", "Weight"]
    assert "Undirected" in edges_csv


def test_bytes_api_matches_files() -> None:
    G = _graph()
    for fmt in FORMATS:
        assert _as_dicts(graph_from_bytes(graph_to_bytes(G, fmt), fmt)) == _expected(G)


def test_unexportable_input_is_refused_with_every_problem(tmp_path: Path) -> None:
    G = nx.Graph()
    G.add_node(1, sectors=["skola", "polis"])
    G.add_node((2, 3))
    with pytest.raises(ValidationError) as info:
        write_graph(G, tmp_path / "x.graphml")
    assert len(info.value.problems) == 2
    assert "sectors" in str(info.value)
    with pytest.raises(ValidationError, match="format"):
        write_graph(_graph(), tmp_path / "x.txt")
    with pytest.raises(ValidationError, match="multigraph"):
        write_graph(nx.MultiGraph([(1, 2), (1, 2)]), tmp_path / "m.graphml")


def test_csv_zip_without_edges_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trasig.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("nodes.csv", "Id,Label\n1,A\n")
    with pytest.raises(ValidationError, match="edges.csv"):
        read_graph(path)
