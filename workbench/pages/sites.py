"""Pilots and sites: list, create a pilot, add and edit sites, assign researchers."""

from datetime import date

import streamlit as st

from pilots.municipalities import municipalities_frame
from pilots.sites import (
    PILOT_KINDS,
    add_site,
    assign_researcher,
    create_pilot,
    get_pilot_by_slug,
    pilots_frame,
    shows_demo_data,
    sites_frame,
    update_site,
)
from workbench.widgets import (
    PAGE_SIZE,
    demo_banner,
    page_context,
    pager,
    personal_data_hint,
    show_table,
    shows_errors,
    t,
)

ctx = page_context()
st.title(t("sites.title"))
with ctx.session() as session:
    demo = shows_demo_data(session, ctx.user)
    pilots = pilots_frame(session, ctx.user)
    sites = sites_frame(session, ctx.user) if ctx.user.sees_site_level_data else sites_frame(session, ctx.user).iloc[0:0]
    municipalities = municipalities_frame(session)
demo_banner(demo)
writer = ctx.user.role in ("admin", "researcher")

st.subheader(t("sites.pilots"))
show_table(pilots[["slug", "name", "kind", "start_date", "end_date", "purpose"]], hide_index=True)
st.subheader(t("sites.sites"))
offset = pager(len(sites), "sites_page")  # a national pilot has 290 sites: one page at a time
show_table(sites.iloc[offset : offset + PAGE_SIZE][["pilot_name", "municipality_code", "municipality_name", "county_name", "size_class",
                    "skr_group_2017_name", "contact_role", "project_organisation", "start_date", "end_date",
                    "context_notes"]], hide_index=True)

if writer:
    personal_data_hint()
    with st.expander(t("sites.new_pilot")), st.form("new_pilot", clear_on_submit=True):
        slug = st.text_input(t("sites.slug"))
        name = st.text_input(t("sites.name"))
        kind = st.selectbox(t("sites.kind"), PILOT_KINDS)
        purpose = st.text_area(t("sites.purpose"))
        start = st.date_input(t("sites.start"), value=date(date.today().year, 1, 1))
        end = st.date_input(t("sites.end"), value=date(date.today().year, 12, 31))
        if st.form_submit_button(t("sites.create")):
            with shows_errors(), ctx.session() as session:
                create_pilot(session, ctx.user, slug=slug, name=name, purpose=purpose, start_date=start,
                             end_date=end, kind=kind)
                st.success(t("sites.saved"))
    if len(pilots):
        names = dict(zip(municipalities["code"], municipalities["name"], strict=True))
        with st.expander(t("sites.add_site")), st.form("add_site", clear_on_submit=True):
            pilot_slug = st.selectbox(t("sites.pilot"), pilots["slug"].tolist())
            code = st.selectbox(t("sites.municipality"), municipalities["code"].tolist(),
                                format_func=lambda c: f"{c} {names.get(c, '')}")
            contact = st.text_input(t("sites.contact_role"))
            organisation = st.text_area(t("sites.project_organisation"))
            notes = st.text_area(t("sites.context_notes"))
            if st.form_submit_button(t("sites.create")):
                with shows_errors(), ctx.session() as session:
                    add_site(session, ctx.user, get_pilot_by_slug(session, ctx.user, pilot_slug), code,
                             contact_role=contact, project_organisation=organisation, context_notes=notes)
                    st.success(t("sites.saved"))
    if len(sites):
        with st.expander(t("sites.edit_site")):
            labels = {int(r.site_id): f"{r.municipality_name} ({r.pilot_name})" for r in sites.itertuples()}
            site_id = st.selectbox(t("sites.site"), list(labels), format_func=lambda s: labels.get(s, str(s)), key="edit_site_id")
            row = sites.set_index("site_id").loc[site_id]
            with st.form("edit_site"):
                contact = st.text_input(t("sites.contact_role"), value=row["contact_role"])
                organisation = st.text_area(t("sites.project_organisation"), value=row["project_organisation"])
                notes = st.text_area(t("sites.context_notes"), value=row["context_notes"])
                start = st.date_input(t("sites.start"), value=row["start_date"])
                end = st.date_input(t("sites.end"), value=row["end_date"])
                if st.form_submit_button(t("sites.save")):
                    with shows_errors(), ctx.session() as session:
                        update_site(session, ctx.user, int(site_id), int(row["version"]),
                                    {"contact_role": contact, "project_organisation": organisation,
                                     "context_notes": notes, "start_date": start, "end_date": end})
                        st.success(t("sites.saved"))
if ctx.user.role == "admin" and len(pilots):
    with st.expander(t("sites.assign")), st.form("assign"):
        pilot_slug = st.selectbox(t("sites.pilot"), pilots["slug"].tolist(), key="assign_pilot")
        username = st.text_input(t("sites.username"))
        if st.form_submit_button(t("sites.assign")):
            with shows_errors(), ctx.session() as session:
                assign_researcher(session, ctx.user, get_pilot_by_slug(session, ctx.user, pilot_slug).id, username)
                st.success(t("sites.saved"))
