"""Adopt the cooperation model file at a site and follow how closely the site follows it over time."""

import streamlit as st

from cooperation_model.adoption import adopt_model, adoptions_frame, model_fidelity
from cooperation_model.figures import figure_data_table, line_chart
from pilots.access import may_write_pilot
from pilots.sites import shows_demo_data, site_names, sites_frame
from workbench.widgets import demo_banner, page_context, show_chart, show_table, shows_errors, t

ctx = page_context()
st.title(t("model_adoption.title"))
st.caption(t("model_adoption.intro"))
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    demo_banner(demo)
    sites = sites_frame(session, ctx.user)
if sites.empty:
    st.info(t("model_adoption.no_sites"))
    st.stop()
labels = site_names(sites)
site_id = int(
    st.selectbox(t("model_adoption.site"), list(labels), format_func=labels.get, key="adoption_site")
)
pilot_id = int(sites.set_index("site_id").at[site_id, "pilot_id"])

if may_write_pilot(ctx.user, pilot_id):
    upload = st.file_uploader(t("model_adoption.upload"), type=["json"], key="adoption_file")
    if upload is not None and st.button(t("model_adoption.adopt"), key="adoption_adopt"):
        with shows_errors():
            with ctx.session() as session:
                adoption = adopt_model(
                    session, ctx.user, site_id, upload.getvalue().decode("utf-8"), source=upload.name
                )
                fingerprint = adoption.model_fingerprint
            st.success(t("model_adoption.adopted", fingerprint=fingerprint[:16]))

with shows_errors():
    with ctx.session() as session:
        adoptions = adoptions_frame(session, ctx.user, site_id)
        fidelity = model_fidelity(session, ctx.user, site_id)
    st.subheader(t("model_adoption.adoptions"))
    if adoptions.empty:
        st.info(t("model_adoption.none"))
    else:
        show_table(adoptions, hide_index=True)
        st.subheader(t("model_adoption.fidelity"))
        long = fidelity.melt(
            id_vars=["quarter"],
            value_vars=["share_at_cadence", "share_roles_named", "share_decisions", "share_followed_up"],
            var_name="measure",
            value_name="share",
        ).dropna()
        if long.empty:
            st.info(t("model_adoption.no_meetings"))
        else:
            long["measure"] = [t(f"model_adoption.m_{m}") for m in long["measure"]]
            fig = line_chart(
                long,
                "quarter",
                "share",
                color="measure",
                title=t("model_adoption.fidelity"),
                source=t("model_adoption.source"),
                demo=demo,
                lang=ctx.lang,
            )
            show_chart(fig, key="fidelity_chart")
            with st.expander(t("model_adoption.data_table")):
                show_table(figure_data_table(fig), hide_index=True)
        show_table(fidelity, hide_index=True)
