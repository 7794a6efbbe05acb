"""Rounds page: which rounds are due, open and done; create rounds and invitation links (shown once)."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import streamlit as st

from instruments.invitations import create_invitation, invitation_link, invitations_frame
from instruments.rounds import (
    ROUND_STATES,
    ROUND_STATUSES,
    STATE_LABELS,
    create_round,
    rounds_frame,
    set_round_status,
)
from instruments.store import instruments_frame
from pilots.sites import shows_demo_data, site_names, sites_frame
from workbench.widgets import demo_banner, page_context, show_table, shows_errors, site_picker, t

ctx = page_context()
st.title(t("rounds.title"))
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    sites = sites_frame(session, ctx.user)
    versions = instruments_frame(session)
manages = ctx.user.role in ("admin", "researcher")
en = ctx.lang == "en"
if sites.empty:
    st.info(t("common.empty"))
    st.stop()
# One site's rounds at a time: the country has thousands.
site_id = site_picker(sites, t("rounds.site"), key="rounds_site")
with ctx.session() as session:
    rounds = rounds_frame(session, ctx.user, site_id)

states = st.multiselect(
    t("rounds.states"),
    list(ROUND_STATES),
    default=list(ROUND_STATES),
    format_func=lambda s: STATE_LABELS[s][en],
    key="rounds_states",
)
shown = rounds[rounds["state"].isin(states)].assign(
    state=lambda f: f["state"].map(lambda s: STATE_LABELS[s][en])
)
counts = rounds["state"].value_counts()
cols = st.columns(len(ROUND_STATES))
for col, state in zip(cols, ROUND_STATES, strict=True):
    col.metric(STATE_LABELS[state][en], int(counts.get(state, 0)))
show_table(
    shown[
        [
            "municipality_name",
            "pilot_name",
            "instrument_id",
            "instrument_version",
            "label",
            "due_date",
            "closes_on",
            "state",
            "n_submitted",
            "n_drafts",
            "n_invited",
        ]
    ],
    hide_index=True,
)

if not manages:
    st.stop()

writable = sites[sites["pilot_id"].isin(ctx.user.pilot_ids) | (ctx.user.role == "admin")]
with st.form("create_round", clear_on_submit=True):
    st.subheader(t("rounds.create"))
    site_ids = writable["site_id"].tolist()
    site_choices = site_names(writable)
    new_site_id = st.selectbox(t("rounds.site"), site_ids, format_func=lambda s: site_choices.get(s, str(s)),
                               index=site_ids.index(site_id) if site_id in site_ids else 0)
    version_names = {
        int(r.instrument_version_id): f"{r.instrument_id} {r.version} ({r.status})"
        for r in versions.itertuples()
    }
    version_id = st.selectbox(
        t("rounds.instrument"), list(version_names), format_func=lambda s: version_names.get(s, str(s))
    )
    label = st.text_input(t("rounds.label"), help=t("rounds.label_help"))
    due = st.date_input(t("rounds.due_date"), value=date.today() + timedelta(days=30))
    closes = st.date_input(t("rounds.closes_on"), value=None)
    status = st.selectbox(t("rounds.status"), ROUND_STATUSES, index=1)
    if st.form_submit_button(t("rounds.create")):
        with shows_errors():
            with ctx.session() as session:
                create_round(
                    session,
                    ctx.user,
                    int(new_site_id),
                    int(version_id),
                    label,
                    due,
                    closes_on=closes,
                    status=status,
                )
            st.success(t("rounds.created", label=label))

mine = rounds[rounds["site_id"].isin(writable["site_id"])]
if mine.empty:
    st.stop()
names = {
    int(r.round_id): f"{r.municipality_name} – {r.instrument_id} – {r.label} ({r.status})"
    for r in mine.itertuples()
}
st.subheader(t("rounds.manage"))
round_id = st.selectbox(
    t("rounds.round"), list(names), format_func=lambda s: names.get(s, str(s)), key="rounds_manage"
)
row = mine.set_index("round_id").loc[round_id]
new_status = st.selectbox(
    t("rounds.status"), ROUND_STATUSES, index=ROUND_STATUSES.index(row["status"]), key="rounds_new_status"
)
if st.button(t("rounds.set_status"), key="rounds_set_status"):
    with shows_errors():
        with ctx.session() as session:
            set_round_status(
                session, ctx.user, int(round_id), new_status, expected_version=int(row["version"])
            )
        st.rerun()

with st.form("invite", clear_on_submit=True):
    st.subheader(t("rounds.invite"))
    st.caption(t("rounds.invite_help"))
    respondent = st.text_input(t("rounds.respondent"))
    days = st.number_input(t("rounds.valid_days"), min_value=1, max_value=90, value=14)
    if st.form_submit_button(t("rounds.make_link")):
        with shows_errors():
            with ctx.session() as session:
                _inv, token = create_invitation(session, ctx.user, int(round_id), respondent, int(days))
            url = urlsplit(str(getattr(st.context, "url", "") or ""))
            base = f"{url.scheme}://{url.netloc}" if url.netloc else "http://localhost:8501"
            st.success(t("rounds.link_once"))
            st.code(invitation_link(base, token), language=None)
with ctx.session() as session:
    invitations = invitations_frame(session, ctx.user, int(round_id))
show_table(invitations, hide_index=True)
