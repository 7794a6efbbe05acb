"""Network page: a site's cooperation network (sectors as colours) over a period slider, metric trends, actors, ego network."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cooperation_model.figures import figure_alt_text, figure_data_table, line_chart, network_figure
from cooperation_model.site_network import metrics_table, site_metrics_by_period, site_network
from pilots.sites import shows_demo_data, site_names, sites_frame
from workbench.widgets import demo_banner, download_frame, page_context, show_chart, show_table, t

ctx = page_context()
st.title(t("network.title"))
with ctx.session() as session:
    is_demo = shows_demo_data(session, ctx.user)
    sites = sites_frame(session, ctx.user)
demo_banner(is_demo)
if sites.empty:
    st.info(t("common.empty"))
    st.stop()
site_choices = site_names(sites)
site_id = st.selectbox(t("network.site"), list(site_choices), format_func=site_choices.get, key="network_site")
source = t("network.source")

with ctx.session() as session:
    whole = site_network(session, ctx.user, site_id)
    trends = site_metrics_by_period(session, ctx.user, site_id, "quarter")
if whole.co_attendance.number_of_nodes() == 0:
    st.info(t("network.no_meetings"))
    st.stop()

periods = [t("network.whole_period"), *trends["period"].tolist()]
chosen = st.select_slider(t("network.period"), options=periods, key="network_period")
if chosen == periods[0]:
    net = whole
else:
    period = pd.Period(chosen, freq="Q")
    with ctx.session() as session:
        net = site_network(session, ctx.user, site_id, period.start_time.date(), period.end_time.date())

# One layout for the whole year keeps every actor in place while the slider moves.
import networkx as nx  # noqa: E402 - only the layout is needed here

layout = nx.spring_layout(whole.co_attendance, seed=42, weight="weight")
fig = network_figure(
    net.co_attendance,
    {n: layout[n] for n in net.co_attendance},
    title=t("network.figure_title", site=site_choices[site_id], period=chosen),
    source=source,
    demo=is_demo,
    lang=ctx.lang,
)
show_chart(fig, key="network_chart")
st.caption(figure_alt_text(fig))
with st.expander(t("network.data_table")):
    show_table(figure_data_table(fig), hide_index=True)
    show_table(metrics_table(net.metrics), hide_index=True)

st.subheader(t("network.trends"))
chosen_metrics = ["density", "degree_centralisation", "sector_blau"]
long = trends.melt(id_vars=["period"], value_vars=chosen_metrics, var_name="metric", value_name="value")
long["metric"] = long["metric"].map(lambda m: t(f"network.metric_{m}"))
trend_fig = line_chart(
    long,
    "period",
    "value",
    color="metric",
    title=t("network.trends_title"),
    source=source,
    demo=is_demo,
    lang=ctx.lang,
    labels={"period": t("network.quarter"), "value": ""},
)
show_chart(trend_fig, key="network_trend_chart")
with st.expander(t("network.data_table")):
    show_table(trends, hide_index=True)
    download_frame(trends, "natverk_per_kvartal", key="network_trends_csv")

st.subheader(t("network.actors"))
show_table(net.actors, hide_index=True)
download_frame(net.actors, "aktorer", key="network_actors_csv")

st.subheader(t("network.ego"))
names = {int(r["actor_id"]): str(r["name"]) for r in net.actors.to_dict("records")}
if names:
    actor = st.selectbox(t("network.ego_actor"), list(names), format_func=lambda s: names.get(s, str(s)), key="network_ego")
    ego = net.ego(actor)
    ego_fig = network_figure(
        ego,
        {n: layout[n] for n in ego},
        title=t("network.ego_title", actor=names[actor]),
        source=source,
        demo=is_demo,
        lang=ctx.lang,
    )
    show_chart(ego_fig, key="network_ego_chart")
    with st.expander(t("network.data_table")):
        show_table(figure_data_table(ego_fig), hide_index=True)
