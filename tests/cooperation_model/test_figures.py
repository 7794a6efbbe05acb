"""House style and chart builders: what a reader of a chart (or its text alternative) relies on."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pandas as pd
import plotly.graph_objects as go
import pytest

from cooperation_model.figures import (
    COLORWAY,
    SECTOR_COLOURS,
    STATUS_COLOURS,
    apply_house_style,
    bar_chart,
    choropleth_map,
    figure_alt_text,
    figure_data_table,
    format_number,
    line_chart,
    network_figure,
    radar_chart,
    strip_box_chart,
    timeline_chart,
)
from pilots.errors import ValidationError

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"}


def meetings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kvartal": ["2024 K1", "2024 K2", "2024 K1", "2024 K2"],
            "sektor": ["skola", "skola", "polis", "polis"],
            "antal": [12, 15000, 3, 4],
        }
    )


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def test_swedish_and_english_number_separators() -> None:
    sv = bar_chart(meetings(), "kvartal", "antal", title="Möten", source="Loggen")
    en = bar_chart(meetings(), "kvartal", "antal", title="Meetings", source="Log", lang="en")
    assert sv.layout.separators == ", "  # decimal comma, space between thousands
    assert en.layout.separators == ".,"
    assert sv.layout.yaxis.exponentformat == "none"  # "14 000", never "14k"
    assert format_number(12345.6, "sv", 1) == "12 345,6"
    assert format_number(12345.6, "en", 1) == "12,345.6"


def test_demo_label_in_title_and_on_chart_only_when_demo() -> None:
    demo = bar_chart(meetings(), "kvartal", "antal", title="Möten per kvartal", source="Loggen", demo=True)
    assert "Exempeldata" in demo.layout.title.text
    assert "EXEMPELDATA" in annotation_texts(demo)
    real = bar_chart(meetings(), "kvartal", "antal", title="Möten per kvartal", source="Loggen", demo=False)
    assert "exempeldata" not in real.to_json().lower()
    en = bar_chart(meetings(), "kvartal", "antal", title="Meetings", source="Log", demo=True, lang="en")
    assert "Example data" in en.layout.title.text


def test_restyling_does_not_stack_source_or_demo_labels() -> None:
    fig = bar_chart(meetings(), "kvartal", "antal", title="Möten", source="Loggen", demo=True)
    apply_house_style(fig, title="Möten", source="Loggen", demo=True)
    assert annotation_texts(fig).count("Källa: Loggen") == 1
    assert annotation_texts(fig).count("EXEMPELDATA") == 1


def test_palette_is_okabe_ito_and_sectors_have_distinct_colours() -> None:
    fig = bar_chart(meetings(), "kvartal", "antal", color="sektor", title="Möten", source="Loggen")
    assert set(fig.layout.colorway) <= OKABE_ITO
    assert list(fig.layout.colorway) == COLORWAY
    assert [t.marker.color for t in fig.data] == [SECTOR_COLOURS["skola"], SECTOR_COLOURS["polis"]]
    assert [t.name for t in fig.data] == ["Skola", "Polis"]
    assert len(SECTOR_COLOURS) == 13
    assert len(set(SECTOR_COLOURS.values())) == 13


def test_source_line_in_both_languages() -> None:
    sv = line_chart(meetings(), "kvartal", "antal", color="sektor", title="Möten", source="Mötesloggen")
    en = line_chart(
        meetings(), "kvartal", "antal", color="sektor", title="Meetings", source="Meeting log", lang="en"
    )
    assert "Källa: Mötesloggen" in annotation_texts(sv)
    assert "Source: Meeting log" in annotation_texts(en)


def test_data_table_equals_input_and_alt_text_summarises_it() -> None:
    df = meetings()
    fig = bar_chart(
        df, "kvartal", "antal", color="sektor", title="Möten per kvartal", source="Loggen", demo=True
    )
    table = figure_data_table(fig)
    assert table["antal"].tolist() == [12, 15000, 3, 4]
    assert table["sektor"].tolist() == ["skola", "skola", "polis", "polis"]
    alt = figure_alt_text(fig)
    assert alt.startswith("Diagram: Möten per kvartal.")
    assert "från 3 till 15 000" in alt
    assert "Källa: Loggen" in alt
    assert "exempeldata" in alt


def test_strip_box_shows_every_site_median_and_n_in_labels() -> None:
    df = pd.DataFrame(
        {
            "grupp": ["C6", "C6", "C6", "A1", "B3", "B3"],
            "plats": ["Kiruna", "Gällivare", "Pajala", "Umeå", "Lund", "Ystad"],
            "poäng": [1.0, 2.5, 3.0, 4.0, 2.0, 2.0],
        }
    )
    fig = strip_box_chart(df, "grupp", "poäng", point_label="plats", title="Poäng", source="Enkät")
    assert list(fig.layout.xaxis.ticktext) == ["C6 (n=3)", "A1 (n=1)", "B3 (n=2)"]
    points, medians = fig.data
    assert len(points.y) == 6 and "Gällivare" in points.text
    assert list(medians.y) == [2.5, 4.0, 2.0]


def test_radar_polygon_is_closed_per_series() -> None:
    df = pd.DataFrame(
        {
            "dimension": ["Ledning", "Rutiner", "Samverkan"] * 2,
            "värde": [1, 2, 3, 3, 3, 2],
            "omgång": ["2023"] * 3 + ["2024"] * 3,
        }
    )
    fig = radar_chart(df, "dimension", "värde", series="omgång", title="Profil", source="Enkät", range_max=4)
    assert [t.name for t in fig.data] == ["2023", "2024"]
    assert list(fig.data[0].r) == [1, 2, 3, 1]
    assert list(fig.data[0].theta) == ["Ledning", "Rutiner", "Samverkan", "Ledning"]
    assert list(fig.layout.polar.radialaxis.range) == [0, 4]


def test_timeline_colours_actual_dates_by_status() -> None:
    df = pd.DataFrame(
        {
            "milstolpe": ["Start", "Mitt", "Slut"],
            "planerat": [dt.date(2024, 1, 1), dt.date(2024, 6, 1), dt.date(2025, 1, 1)],
            "utfall": [dt.date(2024, 1, 10), dt.date(2024, 8, 1), None],
            "status": ["done", "försenad", "on_time"],
        }
    )
    fig = timeline_chart(
        df,
        label="milstolpe",
        planned="planerat",
        actual="utfall",
        status="status",
        title="Milstolpar",
        source="Plan",
    )
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["Planerat"].y) == ["Start", "Mitt", "Slut"]
    assert by_name["Utfall: Försenad"].marker.color == STATUS_COLOURS["late"]
    assert list(by_name["Utfall: Försenad"].y) == ["Mitt"]
    assert by_name["Utfall: Klar"].marker.color == STATUS_COLOURS["done"]
    assert len(fig.layout.shapes) == 2  # planned→actual lines only where both dates exist


def test_choropleth_matches_on_properties_code_and_fits_bounds() -> None:
    square = {"type": "Polygon", "coordinates": [[[20, 64], [21, 64], [21, 65], [20, 65], [20, 64]]]}
    other = {"type": "Polygon", "coordinates": [[[18, 59], [19, 59], [19, 60], [18, 60], [18, 59]]]}
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "2482", "name": "Skellefteå"}, "geometry": square},
            {"type": "Feature", "properties": {"code": "0180", "name": "Stockholm"}, "geometry": other},
        ],
    }
    df = pd.DataFrame({"kod": ["2482", "0180"], "namn": ["Skellefteå", "Stockholm"], "värde": [3.5, None]})
    sites = pd.DataFrame({"lat": [64.75], "lon": [20.95], "name": ["Skellefteå"]})
    fig = choropleth_map(
        df, geojson, "kod", "värde", name_col="namn", sites=sites, title="Karta", source="SCB"
    )
    base, area, markers = fig.data
    # The whole country is drawn (grey where no value), the value layer only where there is one.
    assert sorted(base.locations) == ["0180", "2482"] and base.showscale is False
    assert area.featureidkey == "properties.code"
    assert list(area.locations) == ["2482"] and list(area.z) == [3.5]
    assert fig.layout.geo.fitbounds == "locations"
    assert list(markers.text) == ["Skellefteå"]


def test_network_colours_sectors_and_widens_heavy_ties() -> None:
    G = nx.Graph()
    G.add_node("a", name="Anna Skola", sector="skola")
    G.add_node("b", name="Polisen Umeå", sector="polis")
    G.add_node("c", name="Fritidsgården", sector="fritid")
    G.add_edge("a", "b", weight=10)
    G.add_edge("b", "c", weight=1)
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (2.0, 0.0)}
    fig = network_figure(G, pos, title="Nätverk", source="Möten")
    edges = [t for t in fig.data if t.mode == "lines"]
    widths = {t.line.width: list(t.x) for t in edges}
    assert widths[max(widths)] == [0.0, 1.0, None]  # the weight-10 tie a–b is the thickest
    nodes = {t.name: t for t in fig.data if t.mode == "markers"}
    assert nodes["Polis"].marker.color == SECTOR_COLOURS["polis"]
    assert nodes["Skola"].text[0] == "Anna Skola<br>Skola"
    assert figure_alt_text(fig).startswith("Diagram: Nätverk. Nätverk med 3 aktörer och 2 kopplingar.")
    assert sorted(figure_data_table(fig)["Aktör"]) == ["Anna Skola", "Fritidsgården", "Polisen Umeå"]


def test_data_table_falls_back_to_traces_for_foreign_figures() -> None:
    fig = apply_house_style(
        go.Figure(go.Bar(x=["Umeå", "Luleå"], y=[4, 7], name="Möten")), title="T", source="S", demo=False
    )
    table = figure_data_table(fig)
    assert table.to_dict("records") == [
        {"Serie": "Möten", "x": "Umeå", "y": 4},
        {"Serie": "Möten", "x": "Luleå", "y": 7},
    ]
    assert figure_alt_text(fig)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValidationError, match="'saknas'"):
        bar_chart(meetings(), "kvartal", "saknas", title="Möten", source="Loggen")


def test_rfc7946_polygons_are_rewound_for_plotly() -> None:
    from cooperation_model.figures import _ring_area, rewind_for_plotly

    ccw_outer = [[20, 64], [21, 64], [21, 65], [20, 65], [20, 64]]  # RFC 7946: exterior counter-clockwise
    cw_hole = [[20.2, 64.2], [20.2, 64.4], [20.4, 64.4], [20.4, 64.2], [20.2, 64.2]]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "2482"},
                "geometry": {"type": "Polygon", "coordinates": [ccw_outer, cw_hole]},
            }
        ],
    }
    rings = rewind_for_plotly(geojson)["features"][0]["geometry"]["coordinates"]
    assert _ring_area(rings[0]) < 0 < _ring_area(rings[1])  # d3: exterior clockwise, hole counter-clockwise
    assert rings[0] == list(reversed(ccw_outer))
    assert geojson["features"][0]["geometry"]["coordinates"][0] == ccw_outer  # input untouched
