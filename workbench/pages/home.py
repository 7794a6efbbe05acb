"""Start page: what this role can do next, and the pilots and sites the user can see."""

import streamlit as st

from pilots.municipalities import reference_gaps
from pilots.sites import pilots_frame, shows_demo_data, sites_frame
from workbench.widgets import demo_banner, page_context, show_table, t

ctx = page_context()
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    pilots = pilots_frame(session, ctx.user) if ctx.user.sees_site_level_data or ctx.user.role == "presenter" else None
    sites = sites_frame(session, ctx.user) if ctx.user.sees_site_level_data else None
    gaps = reference_gaps(session) if ctx.user.role in ("admin", "mfof", "researcher") else []

st.title(t("home.welcome", name=ctx.user.display_name or ctx.user.username))
demo_banner(demo)
st.write(t(f"home.next_{ctx.user.role}"))
if pilots is not None and len(pilots):
    st.subheader(t("home.your_pilots"))
    show_table(pilots[["name", "kind", "start_date", "end_date"]], hide_index=True)
if sites is not None and len(sites):
    st.subheader(t("home.your_sites"))
    show_table(
        sites[["municipality_name", "pilot_name", "county_name", "size_class", "skr_group_2017_name", "contact_role"]],
        hide_index=True,
    )
if gaps:
    with st.expander(t("common.reference_gaps_title")):
        for gap in gaps:
            st.write("- " + gap)
