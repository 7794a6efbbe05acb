"""Invitation page: a respondent answers a round through a link, without an account (face "invitation")."""

import streamlit as st

from instruments.answers import response_answers, save_answers, submit_response
from instruments.invitations import InvitationError, describe_invitation, hash_token, open_invitation
from instruments.store import get_instrument
from pilots import db
from workbench.answer_form import answer_form
from workbench.widgets import demo_banner, engine, lang, provisional_badge, shows_errors, t

AUDIT_USER = "inbjudan"

token = str(st.query_params.get("token", ""))
st.title(t("invitation.title"))
done_key = f"invitation_done_{hash_token(token)[:16]}"
if st.session_state.get(done_key):
    st.success(t("invitation.thanks"))
    st.stop()

try:
    with db.session_scope(engine(), user=AUDIT_USER, face="invitation") as session:
        invitation, response = open_invitation(session, token)
        info = describe_invitation(session, invitation)
        instrument = get_instrument(session, int(info["instrument_version_id"]))  # type: ignore[arg-type]
        stored = response_answers(session, invitation, response.id)
        version = response.version
except InvitationError as err:
    st.error(str(err), icon=":material/link_off:")
    st.caption(t("invitation.no_account"))
    st.stop()

demo_banner(bool(info["is_demo"]))
provisional_badge(instrument.status)
st.write(
    t(
        "invitation.intro",
        municipality=info["municipality_name"],
        pilot=info["pilot_name"],
        round=info["round_label"],
        respondent=info["respondent_label"],
    )
)
st.caption(
    t(
        "invitation.expires",
        when=f"{info['expires_at']:%Y-%m-%d %H:%M}",
        instrument=instrument.title.get(lang()),
    )
)

result = answer_form(instrument, stored, f"inv{response.id}", workshop=False, lang=lang())
if result.action:
    with shows_errors():
        with db.session_scope(engine(), user=AUDIT_USER, face="invitation") as session:
            invitation, response = open_invitation(session, token)
            save_answers(
                session,
                invitation,
                response.id,
                result.answers,
                evidence=result.evidence,
                comments=result.comments,
                expected_version=version,
            )
            if result.action == "submit":
                submit_response(session, invitation, response.id)
        if result.action == "submit":
            st.session_state[done_key] = True
            st.rerun()
        st.success(t("invitation.saved"))
