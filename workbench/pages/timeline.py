"""Timeline: milestones per site and across sites (done, late, on time, upcoming), with a table editor."""

from datetime import date

import streamlit as st

from cooperation_model.figures import figure_alt_text, figure_data_table
from cooperation_model.plan_figures import milestone_timeline_figure
from pilots.plans import MILESTONE_STATUSES, add_milestone, state_label, timeline_frame, timeline_summary, \
    update_milestone
from pilots.sites import shows_demo_data, sites_frame
from workbench.widgets import demo_banner, page_context, show_chart, show_table, shows_errors, t

ctx = page_context()
st.title(t("timeline.title"))
today = date.today()
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    sites = sites_frame(session, ctx.user)
demo_banner(demo)
labels = {0: t("timeline.all_sites")} | {int(r.site_id): f"{r.municipality_name} ({r.pilot_name})"
                                          for r in sites.itertuples()}
site_id = st.selectbox(t("timeline.site"), list(labels), format_func=lambda s: labels.get(s, str(s)))
with ctx.session() as session:
    timeline = timeline_frame(session, ctx.user, site_id=site_id or None, today=today)
if timeline.empty:
    st.info(t("timeline.empty"))
else:
    fig = milestone_timeline_figure(timeline, today=today, lang=ctx.lang, demo=demo, with_site=not site_id)
    show_chart(fig, key="timeline_chart")
    st.caption(figure_alt_text(fig))
    with st.expander(t("timeline.table")):
        show_table(figure_data_table(fig), hide_index=True)
    summary = timeline_summary(timeline).rename(columns={s: state_label(s, ctx.lang) for s in
                                                         ("done", "late", "on_time", "upcoming", "cancelled")})
    show_table(summary, hide_index=True)

    writable = ctx.user.role in ("admin", "researcher")
    st.subheader(t("timeline.edit"))
    editable = timeline[["milestone_id", "site_label", "name", "planned_date", "actual_date", "status", "version"]]
    edited = st.data_editor(
        editable, hide_index=True, disabled=["milestone_id", "site_label", "version"] if writable else True,
        column_config={"status": st.column_config.SelectboxColumn(options=list(MILESTONE_STATUSES)),
                       "planned_date": st.column_config.DateColumn(), "actual_date": st.column_config.DateColumn()},
        key="milestone_editor")
    if writable and st.button(t("timeline.save_changes")):
        fields = ["name", "planned_date", "actual_date", "status"]
        for before, after in zip(editable.to_dict("records"), edited.to_dict("records"), strict=True):
            changes = {f: after[f] for f in fields if after[f] != before[f]}
            if changes:
                with shows_errors(), ctx.session() as session:
                    update_milestone(session, ctx.user, int(before["milestone_id"]), int(before["version"]),
                                     changes)
                    st.success(t("timeline.saved", name=after["name"]))

if ctx.user.role in ("admin", "researcher") and len(sites):
    with st.expander(t("timeline.add")), st.form("add_milestone", clear_on_submit=True):
        target = st.selectbox(t("timeline.site"), [k for k in labels if k], format_func=lambda s: labels.get(s, str(s)))
        name = st.text_input(t("timeline.name"))
        planned = st.date_input(t("timeline.planned"))
        if st.form_submit_button(t("timeline.add")):
            with shows_errors(), ctx.session() as session:
                add_milestone(session, ctx.user, int(target), name, planned)
                st.success(t("timeline.saved", name=name))
