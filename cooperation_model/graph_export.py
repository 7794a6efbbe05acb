"""Write cooperation graphs to GraphML, GEXF or a nodes/edges CSV zip, and read them back.

GraphML and GEXF open in Gephi, Cytoscape and yEd; the CSV zip (nodes.csv + edges.csv, Gephi's
column names Id/Label and Source/Target/Type/Weight) opens in Excel and in Gephi's spreadsheet
import. Text is UTF-8 throughout (the CSV files carry a byte order mark so that Excel shows å, ä, ö).
Attributes that are None or NaN are left out, since GraphML and GEXF cannot hold them; dates become
ISO text. Exporting and reading back gives the same nodes, edges and attributes (see docs/metrics.md
for the few caveats).
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Hashable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from cooperation_model.network import NODE_ATTRIBUTES
from pilots.errors import Problem, ValidationError, WorkbenchError

FORMATS: tuple[str, ...] = ("graphml", "gexf", "csv")
SUFFIXES: dict[str, str] = {"graphml": ".graphml", "gexf": ".gexf", "csv": ".zip"}
NODES_FILE = "nodes.csv"
EDGES_FILE = "edges.csv"
META_FILE = "graph.json"
CSV_ENCODING = "utf-8-sig"
TEXT_ATTRIBUTES: frozenset[str] = frozenset(NODE_ATTRIBUTES)
"""Attributes always read back as text from CSV, even when every value looks like a number."""

_INT = re.compile(r"^-?\d+$")
_NODE_ID, _LABEL, _SOURCE, _TARGET, _TYPE, _WEIGHT = "Id", "Label", "Source", "Target", "Type", "Weight"


def _check_format(format: str | None, path: str | Path | None = None) -> str:
    if format is None and path is not None:
        suffix = Path(path).suffix.lower()
        format = next((f for f, s in SUFFIXES.items() if s == suffix), suffix.lstrip("."))
    fmt = (format or "").lower().lstrip(".")
    if fmt == "zip":
        fmt = "csv"
    if fmt not in FORMATS:
        raise ValidationError(Problem("format", f"'{format}' is not supported; expected one of "
                                                f"{', '.join(FORMATS)}"))
    return fmt


def _plain_value(value: Any) -> Any:
    """A value GraphML/GEXF can hold (str, int, float, bool), None for missing; else TypeError."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(type(value).__name__)


def _clean_attributes(data: dict[str, Any], where: str, problems: list[Problem]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        try:
            plain = _plain_value(value)
        except TypeError as exc:
            problems.append(Problem(f"{where}, attribute {key}",
                                    f"a {exc} cannot be exported; expected text, a number or true/false"))
            continue
        if plain is not None:
            out[str(key)] = plain
    return out


def export_ready(G: nx.Graph) -> nx.Graph:
    """Copy of G that every format can hold: missing attributes dropped, numpy values and dates made
    plain. Refuses multigraphs, node ids other than int or str, and attributes such as lists."""
    if G.is_multigraph():
        raise ValidationError(Problem("graph", "multigraphs cannot be exported; merge parallel edges first"))
    problems: list[Problem] = []
    H = nx.DiGraph() if G.is_directed() else nx.Graph()
    for node, data in G.nodes(data=True):
        if isinstance(node, bool) or not isinstance(node, (int, str)):
            problems.append(Problem(f"node {node!r}", "node ids must be whole numbers or text"))
            continue
        H.add_node(node, **_clean_attributes(data, f"node {node}", problems))
    for u, v, data in G.edges(data=True):
        if u in H and v in H:
            H.add_edge(u, v, **_clean_attributes(data, f"edge {u}–{v}", problems))
    if problems:
        raise ValidationError(problems)
    return H


# --- nodes/edges tables -------------------------------------------------------------------------


def graph_to_frames(G: nx.Graph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) tables: nodes Id, Label (the name, else the id), attributes...; edges Source,
    Target, Type (Directed/Undirected), Weight (when any edge has one), attributes..."""
    H = export_ready(G)
    node_keys = sorted({k for _, d in H.nodes(data=True) for k in d})
    nodes = pd.DataFrame(
        [{_NODE_ID: n, _LABEL: d.get("name", str(n)), **d} for n, d in H.nodes(data=True)],
        columns=[_NODE_ID, _LABEL, *node_keys],
    )
    edge_keys = sorted({k for _, _, d in H.edges(data=True) for k in d} - {"weight"})
    has_weight = any("weight" in d for _, _, d in H.edges(data=True))
    kind = "Directed" if H.is_directed() else "Undirected"
    columns = [_SOURCE, _TARGET, _TYPE, *([_WEIGHT] if has_weight else []), *edge_keys]
    edges = pd.DataFrame(
        [{_SOURCE: u, _TARGET: v, _TYPE: kind, **({_WEIGHT: d["weight"]} if "weight" in d else {}),
          **{k: d[k] for k in edge_keys if k in d}} for u, v, d in H.edges(data=True)],
        columns=columns,
    )
    return nodes, edges


def _parse_column(values: pd.Series, as_text: bool) -> list[Any]:
    """Text cells -> Python values; '' means missing. A column is int, float, bool or text as a whole."""
    present = [v for v in values if v != ""]
    if as_text or not present:
        convert: Any = str
    elif all(_INT.match(v) for v in present):
        convert = int
    elif all(_is_float(v) for v in present):
        convert = float
    elif all(v in ("True", "False") for v in present):
        def convert(v: str) -> bool:
            return v == "True"
    else:
        convert = str
    return [None if v == "" else convert(v) for v in values]


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _node_ids(values: list[Any]) -> list[Hashable]:
    """Ids read as text come back as int when every one of them is the text of an int."""
    texts: list[Hashable] = [str(v) for v in values]
    if texts and all(_INT.match(str(t)) and str(int(str(t))) == t for t in texts):
        return [int(str(t)) for t in texts]
    return list(texts)


def frames_to_graph(nodes: pd.DataFrame, edges: pd.DataFrame, directed: bool | None = None) -> nx.Graph:
    """Inverse of graph_to_frames for tables read as text (dtype=str, empty cells as '')."""
    problems = [Problem(NODES_FILE, f"missing column {_NODE_ID}")] if _NODE_ID not in nodes else []
    problems += [Problem(EDGES_FILE, f"missing column {c}") for c in (_SOURCE, _TARGET) if c not in edges]
    if problems:
        raise ValidationError(problems)
    if directed is None:
        kinds = set(edges[_TYPE].str.lower()) if _TYPE in edges else set()
        directed = kinds == {"directed"}
    G: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    ids = _node_ids(list(nodes[_NODE_ID]))
    by_text = {str(i): i for i in ids}
    attrs = [c for c in nodes.columns if c not in (_NODE_ID, _LABEL)]
    parsed = {c: _parse_column(nodes[c], c in TEXT_ATTRIBUTES) for c in attrs}
    for i, node in enumerate(ids):
        G.add_node(node, **{c: parsed[c][i] for c in attrs if parsed[c][i] is not None})
    edge_attrs = [c for c in edges.columns if c not in (_SOURCE, _TARGET, _TYPE)]
    parsed = {c: _parse_column(edges[c], c in TEXT_ATTRIBUTES) for c in edge_attrs}
    unknown = []
    for i, (u, v) in enumerate(zip(edges[_SOURCE], edges[_TARGET], strict=True)):
        if u not in by_text or v not in by_text:
            unknown.append(Problem(f"{EDGES_FILE}, row {i + 2}", f"node {u if u not in by_text else v} "
                                                                 f"is not in {NODES_FILE}"))
            continue
        data = {("weight" if c == _WEIGHT else c): parsed[c][i]
                for c in edge_attrs if parsed[c][i] is not None}
        G.add_edge(by_text[u], by_text[v], **data)
    if unknown:
        raise ValidationError(unknown)
    return G


# --- bytes and files ----------------------------------------------------------------------------


def graph_to_bytes(G: nx.Graph, format: str) -> bytes:
    """The file content of G in ``format`` (graphml, gexf or csv = zip of nodes.csv and edges.csv)."""
    fmt = _check_format(format)
    buffer = io.BytesIO()
    if fmt == "csv":
        nodes, edges = graph_to_frames(G)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(NODES_FILE, nodes.to_csv(index=False).encode(CSV_ENCODING))
            zf.writestr(EDGES_FILE, edges.to_csv(index=False).encode(CSV_ENCODING))
            zf.writestr(META_FILE, json.dumps({"directed": G.is_directed(), "nodes": NODES_FILE,
                                               "edges": EDGES_FILE}))
        return buffer.getvalue()
    H = export_ready(G)
    if fmt == "graphml":
        nx.write_graphml(H, buffer, encoding="utf-8")
    else:
        for node, data in H.nodes(data=True):
            data.setdefault("label", str(data.get("name", node)))
        nx.write_gexf(H, buffer, encoding="utf-8")
    return buffer.getvalue()


def graph_from_bytes(data: bytes, format: str) -> nx.Graph:
    """Read a graph written by graph_to_bytes (or by Gephi and friends in the same formats)."""
    fmt = _check_format(format)
    try:
        if fmt == "csv":
            return _read_zip(data)
        if fmt == "graphml":
            G = nx.read_graphml(io.BytesIO(data))
        else:
            G = nx.read_gexf(io.BytesIO(data), relabel=False)
    except (zipfile.BadZipFile, ValueError, KeyError, nx.NetworkXError) as exc:
        raise WorkbenchError(f"the file is not readable as {fmt}: {exc}") from exc
    if G.is_multigraph():
        G = nx.DiGraph(G) if G.is_directed() else nx.Graph(G)
    G.graph.clear()
    ids = list(G.nodes)
    mapping = dict(zip(ids, _node_ids(ids), strict=True))
    G = nx.relabel_nodes(G, mapping, copy=True)
    if fmt == "gexf":
        _tidy_gexf(G)
    return G


def _tidy_gexf(G: nx.Graph) -> None:
    """Drop the label and edge id GEXF adds; whole-number weights (GEXF stores floats) back to int."""
    for node, data in G.nodes(data=True):
        if data.get("label") in (str(node), str(data.get("name", node))):
            data.pop("label")
    for _, _, data in G.edges(data=True):
        data.pop("id", None)
        weight = data.get("weight")
        if isinstance(weight, float) and weight.is_integer():
            data["weight"] = int(weight)


def _read_zip(data: bytes) -> nx.Graph:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        missing = [n for n in (NODES_FILE, EDGES_FILE) if n not in names]
        if missing:
            raise ValidationError([Problem("zip file", f"{n} is missing; expected {NODES_FILE} and "
                                                       f"{EDGES_FILE}") for n in missing])
        meta = json.loads(zf.read(META_FILE)) if META_FILE in names else {}

        def table(name: str) -> pd.DataFrame:
            with zf.open(name) as fh:
                return pd.read_csv(fh, dtype=str, keep_default_na=False, encoding=CSV_ENCODING)

        return frames_to_graph(table(NODES_FILE), table(EDGES_FILE), meta.get("directed"))


def write_graph(G: nx.Graph, path: str | Path, format: str | None = None) -> Path:
    """Write G to ``path`` as graphml, gexf or csv (a .zip holding nodes.csv and edges.csv).

    Without ``format`` it follows the suffix (.graphml, .gexf, .zip). Returns the path written.
    """
    fmt = _check_format(format, path)
    target = Path(path)
    target.write_bytes(graph_to_bytes(G, fmt))
    return target


def read_graph(path: str | Path, format: str | None = None) -> nx.Graph:
    """Read a graph file written by write_graph; node ids that are all whole numbers come back as int."""
    fmt = _check_format(format, path)
    source = Path(path)
    if not source.is_file():
        raise WorkbenchError(f"{source}: no such file")
    return graph_from_bytes(source.read_bytes(), fmt)
