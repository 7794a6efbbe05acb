"""Forums page: each forum's card with its systematicity from the meeting log and the evidence of what was lacking."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cooperation_model.site_network import site_systematicity
from cooperation_model.systematicity import SCORE_COMPONENTS, classification_label
from pilots.sites import shows_demo_data, site_names, sites_frame
from workbench.widgets import demo_banner, page_context, show_table, t

ctx = page_context()
st.title(t("forums.title"))
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    sites = sites_frame(session, ctx.user)
if sites.empty:
    st.info(t("common.empty"))
    st.stop()
site_choices = site_names(sites)
site_id = st.selectbox(t("forums.site"), list(site_choices), format_func=site_choices.get, key="forums_site")
with ctx.session() as session:
    table = site_systematicity(session, ctx.user, site_id)
if table.empty:
    st.info(t("forums.none"))
    st.stop()
st.caption(t("forums.intro"))

for row in table.to_dict("records"):
    with st.container(border=True):
        st.subheader(row["name"])
        c1, c2, c3 = st.columns(3)
        score = row["score"]
        c1.metric(
            t("forums.score"),
            "–" if pd.isna(score) else f"{score:.2f}".replace(".", "," if ctx.lang == "sv" else "."),
        )
        c2.metric(t("forums.classification"), classification_label(row["classification"], ctx.lang))
        c3.metric(t("forums.meetings"), int(row["n_meetings"]))
        st.caption(
            t(
                "forums.roles",
                convener=row["convener"] or "–",
                documenter=row["documenter"] or "–",
                follow_up=row["follow_up"] or "–",
            )
        )
        parts = pd.DataFrame(
            {
                "component": [t(f"forums.c_{c}") for c in SCORE_COMPONENTS],
                "value": [row[c] for c in SCORE_COMPONENTS],
            }
        )
        show_table(
            parts,
            hide_index=True,
            column_config={
                "component": t("forums.component"),
                "value": st.column_config.ProgressColumn(
                    t("forums.value"), min_value=0.0, max_value=1.0, format="%.2f"
                ),
            },
        )
        evidence = pd.DataFrame(row["evidence"], columns=["meeting_id", "date", "missing", "action_id"])
        with st.expander(t("forums.evidence", n=len(evidence))):
            if evidence.empty:
                st.write(t("forums.no_gaps"))
            else:
                evidence["date"] = pd.to_datetime(evidence["date"]).dt.date
                evidence["missing"] = evidence["missing"].map(lambda m: t(f"forums.missing_{m}"))
                show_table(evidence, hide_index=True)
        st.caption(t("forums.self_assessment"))
