"""Self-assessment in the app: answering through an invitation link, refused links, and the assessment pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from instruments.invitations import create_invitation
from instruments.rounds import rounds_frame
from pilots import db
from pilots.access import SYSTEM_USER
from pilots.models import Answer, AuditEvent, Invitation, Response
from tests.workbench.conftest import APP


def _invite(url: str, label: str = "Rektor", days: int = 14) -> tuple[str, int]:
    engine = db.make_engine(url)
    with db.session_scope(engine, user=SYSTEM_USER) as session:
        rounds = rounds_frame(session, SYSTEM_USER)
        open_round = rounds[(rounds["status"] == "open") & (rounds["municipality_code"] == "2482")].iloc[0]
        invitation, token = create_invitation(session, SYSTEM_USER, int(open_round["round_id"]), label, days)
        invitation_id = invitation.id
    engine.dispose()
    return token, invitation_id


def _open_link(token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["token"] = token
    return at.run()


def test_municipality_respondent_completes_assessment_through_link(demo_url: str) -> None:
    token, invitation_id = _invite(demo_url)
    at = _open_link(token)
    assert not at.exception
    assert at.title[0].value == "Självskattning"
    assert any("Preliminärt instrument" in i.value for i in at.info)  # provisional badge
    assert "Skellefteå" in " ".join(m.value for m in at.markdown)
    radios = [r for r in at.radio if r.key and r.key.startswith("inv")]
    assert len(radios) == 7  # the seven steps
    for n, radio in enumerate(radios):
        radio.set_value("vet_ej" if n == 6 else 3)
    at.button(key=next(b.key for b in at.button if b.key and b.key.endswith("_save"))).click().run()
    assert not at.exception and "sparat" in at.success[0].value
    at.button(key=next(b.key for b in at.button if b.key and b.key.endswith("_submit"))).click().run()
    assert not at.exception
    assert "inskickade och låsta" in at.success[0].value

    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as session:
        response = session.scalar(select(Response).where(Response.invitation_id == invitation_id))
        assert response.status == "submitted" and response.respondent_label == "Rektor"
        answers = session.scalars(select(Answer).where(Answer.response_id == response.id)).all()
        assert sorted(a.value for a in answers if not a.dont_know) == [3.0] * 6
        assert [a.value for a in answers if a.dont_know] == [None]
        assert session.get(Invitation, invitation_id).used_at is not None
        faces = set(session.scalars(select(AuditEvent.face).where(AuditEvent.entity == "response")))
        assert "invitation" in faces
    engine.dispose()

    again = _open_link(token)  # the link is single use
    assert not again.exception
    assert "redan inskickade" in again.error[0].value


def test_expired_link_gets_a_clear_page(demo_url: str) -> None:
    token, invitation_id = _invite(demo_url)
    engine = db.make_engine(demo_url)
    with db.session_scope(engine) as session:
        session.get(Invitation, invitation_id).expires_at = datetime.now() - timedelta(days=1)
    engine.dispose()
    at = _open_link(token)
    assert not at.exception
    assert "gick ut" in at.error[0].value
    assert not [r for r in at.radio if r.key and r.key.startswith("inv")]  # no form


def test_unknown_link_gets_a_clear_page(demo_url: str) -> None:
    at = _open_link("påhittad-token")
    assert not at.exception
    assert "känns inte igen" in at.error[0].value


def test_municipality_user_sees_own_open_round_and_resumes_draft(app_as) -> None:
    at = app_as("skelleftea")
    at.switch_page("pages/assessment.py").run()
    assert not at.exception
    rounds = at.selectbox(key="assessment_round")
    assert all("Skellefteå" in o for o in rounds.options)
    draft_box = next(s for s in at.selectbox if s.key and s.key.startswith("assessment_draft_"))
    assert any("Samordnare TryggVäxt" in o for o in draft_box.options)
    draft_box.select_index(1).run()
    assert not at.exception
    answered = [r for r in at.radio if r.key and r.key.startswith("resp") and r.value is not None]
    assert len(answered) == 3  # the demo draft holds the first three steps


def test_results_rounds_and_admin_pages_render(app_as) -> None:
    for username, page in (
        ("forskare", "assessment_results"),
        ("skelleftea", "assessment_results"),
        ("forskare", "rounds"),
        ("mfof", "instrument_admin"),
    ):
        at = app_as(username)
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (username, page, at.exception)


def test_results_page_shows_every_demo_instrument_without_error(app_as) -> None:
    at = app_as("admin")
    at.switch_page("pages/assessment_results.py").run()
    options = at.selectbox(key="results_site").options
    one_per_pilot = {o.split(" (", 1)[1]: i for i, o in reversed(list(enumerate(options)))}
    for site_index in sorted(one_per_pilot.values()):
        at.selectbox(key="results_site").select_index(site_index).run()
        for option in at.selectbox(key="results_instrument").options:
            at.selectbox(key="results_instrument").set_value(option).run()
            assert not at.exception, (site_index, option, at.exception)
            assert any("Preliminärt" in i.value for i in at.info)
            assert at.get("plotly_chart")
