"""Does a candidate success factor hold across contexts? Factors × outcomes within each group, with n."""

import streamlit as st

from cooperation_model.measures import consistency_for, grouping_options, measure_catalogue, site_measures
from pilots.sites import shows_demo_data
from workbench.widgets import demo_banner, page_context, show_table, shows_errors, t

ctx = page_context()
st.title(t("consistency.title"))
st.caption(t("consistency.intro"))
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    frame = site_measures(session, ctx.user)
catalogue = measure_catalogue(frame, ctx.lang)
if catalogue.empty:
    st.info(t("consistency.no_measures"))
    st.stop()
labels = dict(zip(catalogue["key"], catalogue["label"], strict=True))
options = grouping_options(frame, ctx.lang)
factors = st.multiselect(
    t("consistency.factors"),
    list(labels),
    default=list(labels)[:1],
    format_func=lambda s: labels.get(s, str(s)),
    key="consistency_factors",
)
outcomes = st.multiselect(
    t("consistency.outcomes"),
    list(labels),
    default=list(labels)[-1:],
    format_func=lambda s: labels.get(s, str(s)),
    key="consistency_outcomes",
)
context = st.selectbox(
    t("consistency.context"), list(options), format_func=options.get, key="consistency_context"
)
with shows_errors():
    table = consistency_for(frame, factors, outcomes, context, lang=ctx.lang)
    if table.empty:
        st.info(t("consistency.none"))
    else:
        show_table(table, hide_index=True)
        st.caption(t("consistency.rule"))
