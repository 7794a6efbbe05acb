"""Admin page: user accounts and roles."""

import streamlit as st

from pilots.access import ROLES
from pilots.municipalities import municipalities_frame
from pilots.sites import pilots_frame
from pilots.users import create_user, set_active, users_frame
from workbench.widgets import page_context, role_label, show_table, shows_errors, t

ctx = page_context()
st.title(t("users.title"))
with ctx.session() as session:
    users = users_frame(session, ctx.user)
    municipalities = municipalities_frame(session)
    pilots = pilots_frame(session, ctx.user)
show_table(users, hide_index=True)

with st.form("add_user", clear_on_submit=True):
    st.subheader(t("users.add"))
    username = st.text_input(t("users.username"))
    display_name = st.text_input(t("users.display_name"))
    role = st.selectbox(t("users.role"), ROLES, format_func=role_label)
    codes = [""] + municipalities["code"].tolist()
    names = dict(zip(municipalities["code"], municipalities["name"], strict=True))
    municipality = st.selectbox(t("users.municipality"), codes, format_func=lambda c: f"{c} {names.get(c, '')}".strip())
    pilot_slugs = st.multiselect(t("users.pilots"), pilots["slug"].tolist())
    password = st.text_input(t("users.password"), type="password")
    if st.form_submit_button(t("users.add")):
        with shows_errors():
            with ctx.session() as session:
                create_user(session, username, password, role, display_name=display_name,
                            municipality_code=municipality or None, pilot_slugs=pilot_slugs)
            st.success(t("users.created", username=username))

if len(users):
    who = st.selectbox(t("users.username"), users["username"].tolist(), key="toggle_user")
    active = bool(users.loc[users["username"] == who, "is_active"].iloc[0])
    label = t("users.deactivate") if active else t("users.activate")
    if st.button(label, key="toggle_active"):
        with shows_errors():
            with ctx.session() as session:
                set_active(session, ctx.user, who, not active)
            st.rerun()
