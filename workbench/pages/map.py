"""A map of Sweden coloured by a chosen measure, with the pilot sites marked (aggregated for presenters)."""

import streamlit as st

from cooperation_model.dashboard import FILTER_KEYS, map_frames
from cooperation_model.figures import choropleth_map
from cooperation_model.measures import LOG_MEASURES, measure_catalogue, site_measures
from pilots.municipalities import boundaries_geojson
from pilots.sites import shows_demo_data
from workbench.widgets import demo_banner, page_context, show_chart, show_table, shows_errors, t

ctx = page_context()
st.title(t("map.title"))
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    frame = site_measures(session, ctx.user)
demo_banner(demo)
if ctx.user.sees_site_level_data:
    catalogue = measure_catalogue(frame, ctx.lang)
    labels = dict(zip(catalogue["key"], catalogue["label"], strict=True))
else:
    labels = {k: m.label(ctx.lang) for k, m in LOG_MEASURES.items()}
if not labels:
    st.info(t("map.no_measures"))
    st.stop()
measure = st.selectbox(t("map.measure"), list(labels), format_func=lambda s: labels.get(s, str(s)), key="map_measure")
filters = st.session_state.setdefault("filters", {k: [] for k in FILTER_KEYS})
if any(filters.values()):
    st.caption(t("map.filtered", filters=", ".join(f"{k}: {v}" for k, v in filters.items() if v)))
with shows_errors():
    with ctx.session() as session:
        table, markers, note = map_frames(session, ctx.user, measure, filters, lang=ctx.lang)
    fig = choropleth_map(
        table,
        boundaries_geojson(),
        "code",
        "value",
        name_col="name",
        sites=markers if len(markers) else None,
        title=labels[measure],
        source=t("map.source"),
        demo=demo,
        lang=ctx.lang,
        value_label=labels[measure],
    )
    show_chart(fig, key="map_chart")
    if note:
        st.info(t("map.presenter_note"))
        st.caption(note)
    with st.expander(t("map.table")):
        show_table(table.dropna(subset=["value"]), hide_index=True)
