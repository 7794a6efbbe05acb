"""Assessment page: answer an open round for a visible site, individually or as a workshop consensus."""

from datetime import date

import pandas as pd
import streamlit as st

from instruments.answers import (
    MODE_LABELS,
    RESPONSE_COLUMNS,
    response_answers,
    responses_frame,
    save_answers,
    start_response,
    submit_response,
)
from instruments.rounds import round_site_ids, rounds_frame
from instruments.store import get_instrument
from pilots.sites import shows_demo_data, sites_frame
from workbench.answer_form import answer_form
from workbench.widgets import demo_banner, page_context, provisional_badge, shows_errors, site_picker, t

ctx = page_context()
st.title(t("assessment.title"))
flash = st.session_state.pop("assessment_flash", None)
if flash:
    st.success(flash)
today = date.today()
with ctx.session() as session:
    demo_banner(shows_demo_data(session, ctx.user))
    open_sites = round_site_ids(session, ctx.user, open_on=today)
    sites = sites_frame(session, ctx.user)
sites = sites[sites["site_id"].isin(open_sites)]
if sites.empty:
    st.info(t("assessment.no_open_rounds"))
    st.stop()
# The sites with open rounds first, then one site's rounds: the country has thousands of rounds.
site_id = site_picker(sites, t("assessment.site"), key="assessment_site")
with ctx.session() as session:
    rounds = rounds_frame(session, ctx.user, site_id)
open_rounds = rounds[
    (rounds["status"] == "open")
    & (rounds["closes_on"].isna() | (pd.to_datetime(rounds["closes_on"]) >= pd.Timestamp(today)))
]
if open_rounds.empty:
    st.info(t("assessment.no_open_rounds"))
    st.stop()

labels = {
    int(r.round_id): f"{r.municipality_name} – {r.instrument_id} {r.instrument_version} – {r.label}"
    for r in open_rounds.itertuples()
}
round_id = st.selectbox(
    t("assessment.round"), list(labels), format_func=lambda s: labels.get(s, str(s)), key="assessment_round"
)
chosen = open_rounds.set_index("round_id").loc[round_id]
st.caption(t("assessment.round_caption", due=chosen["due_date"], pilot=chosen["pilot_name"]))

responses = pd.DataFrame(columns=RESPONSE_COLUMNS)
with shows_errors():
    with ctx.session() as session:
        responses = responses_frame(session, ctx.user, int(round_id))
drafts = responses[responses["status"] == "draft"]
if len(drafts):
    draft_labels = {
        int(r.response_id): f"{r.respondent_label} ({MODE_LABELS[r.mode][ctx.lang == 'en']}, "
        f"{r.n_answered + r.n_dont_know} {t('assessment.answered')})"
        for r in drafts.itertuples()
    }
    options = [0, *draft_labels]
    response_id = st.selectbox(
        t("assessment.continue_draft"),
        options,
        key=f"assessment_draft_{round_id}",
        format_func=lambda r: t("assessment.new_response") if r == 0 else draft_labels.get(r, str(r)),
    )
else:
    response_id = 0

if response_id == 0:
    with st.form(f"start_{round_id}"):
        st.subheader(t("assessment.new_response"))
        respondent = st.text_input(t("assessment.respondent"), help=t("assessment.respondent_help"))
        mode = st.radio(
            t("assessment.mode"),
            list(MODE_LABELS),
            horizontal=True,
            format_func=lambda m: MODE_LABELS[m][ctx.lang == "en"],
        )
        if st.form_submit_button(t("assessment.start")):
            with shows_errors():
                with ctx.session() as session:
                    resp = start_response(session, ctx.user, int(round_id), respondent, mode)
                    new_id = resp.id
                st.session_state[f"assessment_draft_{round_id}"] = new_id
                st.rerun()
    st.stop()

with ctx.session() as session:
    instrument = get_instrument(session, int(chosen["instrument_version_id"]))
    stored = response_answers(session, ctx.user, int(response_id))
current = responses.set_index("response_id").loc[response_id]
provisional_badge(instrument.status)
st.markdown(f"### {instrument.title.get(ctx.lang)}")
result = answer_form(
    instrument, stored, f"resp{response_id}", workshop=current["mode"] == "workshop", lang=ctx.lang
)
if result.action:
    with shows_errors():
        with ctx.session() as session:
            save_answers(
                session,
                ctx.user,
                int(response_id),
                result.answers,
                evidence=result.evidence,
                comments=result.comments,
                expected_version=int(current["version"]),
            )
            if result.action == "submit":
                submit_response(session, ctx.user, int(response_id))
        if result.action == "submit":
            st.session_state["assessment_flash"] = t("assessment.submitted")
            st.session_state.pop(f"assessment_draft_{round_id}", None)
            st.rerun()
        st.success(t("assessment.saved"))
