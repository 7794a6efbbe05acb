"""MFoF's overview of pilots and sites: phase, self-assessment, meetings, systematicity, overdue milestones."""

import streamlit as st

from cooperation_model.dashboard import (
    FILTER_KEYS,
    OVERVIEW_LABELS,
    apply_filters,
    dashboard_frame,
    pilots_overview,
)
from pilots.sites import shows_demo_data
from workbench.widgets import demo_banner, page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("dashboard.title"))
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    everything = dashboard_frame(session, ctx.user)

# Filters live in st.session_state["filters"] (shared with the map page); widgets copy in and out.
filters = st.session_state.setdefault("filters", {k: [] for k in FILTER_KEYS})
choices = {
    "pilot_ids": dict(zip(everything["pilot_id"], everything["pilot_name"], strict=True)),
    "skr_groups": {g: g for g in sorted(everything["skr_group_2017"].dropna().unique())},
    "size_classes": {g: g for g in sorted(everything["size_class"].dropna().unique())},
    "counties": {g: g for g in sorted(everything["county"].dropna().unique())},
}
columns = st.columns(len(FILTER_KEYS))
for column, key in zip(columns, FILTER_KEYS, strict=True):
    options = choices[key]
    current = [v for v in filters.get(key, []) if v in options]
    with column:
        filters[key] = st.multiselect(
            t(f"dashboard.filter_{key}"),
            list(options),
            default=current,
            format_func=lambda v, o=options: str(o[v]),
            key=f"dashboard_{key}",
        )
st.session_state["filters"] = filters

with shows_errors():
    overview = apply_filters(everything, filters)
    if overview.empty:
        st.info(t("dashboard.empty"))
        st.stop()
    st.subheader(t("dashboard.pilots"))
    show_table(pilots_overview(overview), hide_index=True)
    st.subheader(t("dashboard.sites"))
    i = 1 if ctx.lang == "en" else 0
    shown = overview[list(OVERVIEW_LABELS)].rename(columns={k: v[i] for k, v in OVERVIEW_LABELS.items()})
    event = show_table(
        shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="dashboard_sites"
    )
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if rows:
        st.session_state["selected_site_id"] = int(overview.iloc[rows[0]]["site_id"])
    if st.session_state.get("selected_site_id") is not None:
        if st.button(t("dashboard.open_site"), key="dashboard_open_site"):
            st.switch_page("pages/site_detail.py")
