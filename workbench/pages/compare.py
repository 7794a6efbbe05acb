"""Compare a site measure across size classes, SKR groups, counties, landsdelar and own regions."""

import streamlit as st

from cooperation_model.figures import strip_box_chart
from cooperation_model.measures import (
    compare_measure,
    group_summary,
    grouping_options,
    measure_catalogue,
    site_measures,
)
from pilots.sites import shows_demo_data
from workbench.widgets import demo_banner, page_context, show_chart, show_table, shows_errors, t

ctx = page_context()
st.title(t("compare.title"))
st.caption(t("compare.intro"))
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    frame = site_measures(session, ctx.user)
catalogue = measure_catalogue(frame, ctx.lang)
options = grouping_options(frame, ctx.lang)
if ctx.user.sees_site_level_data and catalogue.empty:
    st.info(t("compare.no_measures"))
    st.stop()
if ctx.user.sees_site_level_data:
    labels = dict(zip(catalogue["key"], catalogue["label"], strict=True))
else:
    from cooperation_model.measures import LOG_MEASURES

    labels = {k: m.label(ctx.lang) for k, m in LOG_MEASURES.items()}
measure = st.selectbox(t("compare.measure"), list(labels), format_func=lambda s: labels.get(s, str(s)), key="compare_measure")
grouping = st.selectbox(t("compare.grouping"), list(options), format_func=options.get, key="compare_grouping")

with shows_errors():
    if not ctx.user.sees_site_level_data:
        with ctx.session() as session:
            table, rule = group_summary(session, ctx.user, measure, grouping, lang=ctx.lang)
        st.info(t("compare.presenter_note"))
        show_table(table, hide_index=True)
        st.caption(rule)
        st.stop()
    provenance = catalogue.set_index("key").at[measure, "provenance"]
    st.caption(t("compare.provenance", text=provenance))
    result = compare_measure(frame, measure, grouping)
    if result.status == "too_few":
        st.warning(result.message(ctx.lang))
    else:
        st.info(result.message(ctx.lang))
    empty = result.groups[result.groups["n"] == 0]["group"].tolist()
    if empty:
        st.info(t("compare.empty_groups", groups=", ".join(map(str, empty))))
    st.caption(
        t(
            "compare.missing",
            measure=result.n_missing_measure,
            group=result.n_missing_group,
            min_n=result.min_n,
        )
    )
    if len(result.points):
        fig = strip_box_chart(
            result.points,
            "group",
            "value",
            point_label="site_label",
            title=f"{labels[measure]} – {options[grouping]}",
            source=t("compare.source"),
            demo=bool(frame["is_demo"].any()),
            lang=ctx.lang,
            labels={"group": options[grouping], "value": labels[measure]},
            order=result.groups["group"].tolist(),
        )
        show_chart(fig, key="compare_chart")
        with st.expander(t("compare.points_table")):
            show_table(result.points, hide_index=True)
    st.subheader(t("compare.groups"))
    show_table(result.group_table(ctx.lang), hide_index=True)
